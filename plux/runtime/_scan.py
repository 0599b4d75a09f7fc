"""A scan of the path: each entry's stamp (and its listing), and each of its metadata folders'
watched file and stamp; which of them changed too recently to be trusted yet. A rebuild scans;
a warm check compares the stamps a scan recorded (:mod:`plux.runtime._index`) and imports
neither this module nor :mod:`plux.runtime._distributions`, which it reads.
"""

from __future__ import annotations

import os
import stat
from _operator import itemgetter

from plux.core._typing import Record
from plux.runtime._distributions import metadata_children, watched_file
from plux.runtime._stamps import MISSING, RACY_WHOLE_SECONDS_NS, STAMP_OF, is_racy, stamps_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from plux.runtime._stamps import Stamp

__all__ = ["EntryStamp", "Stamps", "scan_entry", "scan_stamps"]

_MTIME = itemgetter(0)


class EntryStamp(Record):
    """A path entry's stamps, and its metadata folders' as columns (a site folder may hold
    thousands): each folder is stamped by its ``entry_points.txt`` when it has one (an edit of
    it is what changes the distribution's answer), else by the folder itself (where one would
    appear): its :func:`~plux.runtime._distributions.watched_file`."""

    entry: str
    stamp: Stamp
    children: tuple[str, ...] = ()
    """The metadata folders in it, in listing order."""
    watched: tuple[str, ...] = ()
    """Each folder's watched file, relative to the path entry."""
    stamps: tuple[Stamp, ...] = ()
    """Each watched file's stamp."""
    racy: bool = False
    """Whether it changed just before it was scanned (:func:`~plux.runtime._stamps.is_racy`)."""
    unsettled: tuple[str, ...] = ()
    """The metadata folders that changed just before they were scanned: what is read from them
    now may be half-written, and is read again by the next process."""


Stamps = tuple[EntryStamp, ...]


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
        return EntryStamp(entry, MISSING)
    stamp: Stamp = STAMP_OF(st)
    racy = is_racy(stamp, scan_start_ns)
    if not stat.S_ISDIR(st.st_mode):
        return EntryStamp(entry, stamp, racy=racy)
    children = known[1] if known is not None and known[0] == stamp else None
    if children is None:
        children = metadata_children(entry)
    watched = [watched_file(child, True) for child in children]
    stamps = stamps_at(directory, "\0".join(watched))
    if MISSING in stamps:  # no entry_points.txt (or a folder gone meanwhile): the folder itself
        without = [i for i, found in enumerate(stamps) if found == MISSING]
        folder_stamps = stamps_at(directory, "\0".join(children[i] for i in without))
        for i, folder_stamp in zip(without, folder_stamps, strict=True):
            watched[i], stamps[i] = watched_file(children[i], False), folder_stamp
    # the widest window first: a comparison (in C) that all but the newest distributions fail
    recent = scan_start_ns - RACY_WHOLE_SECONDS_NS
    unsettled: tuple[str, ...] = ()
    if stamps and max(map(_MTIME, stamps)) >= recent:
        unsettled = tuple(
            child
            for child, child_stamp in zip(children, stamps, strict=True)
            if child_stamp[0] >= recent and is_racy(child_stamp, scan_start_ns)
        )
    return EntryStamp(entry, stamp, tuple(children), tuple(watched), tuple(stamps), racy, unsettled)


def scan_stamps(
    path: Sequence[str], known: dict[str, tuple[Stamp, tuple[str, ...] | None]] | None = None
) -> Stamps:
    """The current stamps of every entry of ``path`` (:func:`scan_entry`; ``known``: per entry,
    its stamp and listing when last listed)."""
    import time

    start = time.time_ns()
    known = known or {}
    return tuple(scan_entry(entry, start, known.get(entry)) for entry in path)
