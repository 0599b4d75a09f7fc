"""The index that ships with the environment: built into it once (``plux index build``, at image or
virtual environment build time) and read by every process that has no index of its own that holds.

It lives in ``<sys.prefix>/share/plux/``. It is trusted only while it and its folder are owned by
root or by the environment's owner (the owner of ``sys.prefix``) and writable by no one else, and
only while its stamps hold; a process never writes it. An image keeps a file's mtime in whole
seconds and gives it a new inode and ctime where it is unpacked, so its stamps are compared as
:func:`~plux.runtime._stamps.same_since` says. It serves every process whose path holds the same
distributions in the same order: a script's own folder (``sys.path[0]``) differs from process to
process, and counts only if it holds distributions.
"""

from __future__ import annotations

import os
import sys

from plux.core._typing import Record
from plux.runtime._distributions import metadata_children
from plux.runtime._index import EntryPointIndex, PathEntry, identity
from plux.runtime._index_file import DamagedIndex, read_trusted, trusted
from plux.runtime._index_write import write_atomically
from plux.runtime._scan import scan_stamps
from plux.runtime._stamps import file_stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from plux.runtime._index import Identity
    from plux.runtime._scan import EntryStamp

__all__ = [
    "PrebuiltIndex",
    "PrebuiltIndexError",
    "build_prebuilt_index",
    "prebuilt_index_file",
    "prebuilt_status",
    "read_prebuilt",
]

_COPIED_AFTER_NS = 2_000_000_000
"""A file made this long after its index was written is a copy (unpacked from an image, say): its
inode and change time, and those of the whole environment, are new."""
_RACY_WAIT_S, _RACY_TRIES = 0.05, 60
"""How long a build waits for what changed just before it to settle (about 3 s at most)."""


class PrebuiltIndex(Record):
    """What :func:`build_prebuilt_index` wrote."""

    file: str
    distributions: int
    """Distributions that count (shadowed copies left out)."""
    entry_points: int
    path: tuple[str, ...]
    """The path entries indexed."""


class PrebuiltIndexError(Exception):
    """The prebuilt index could not be written; the message names the file, why, and what to do."""


def prebuilt_index_file() -> str:
    """Where this interpreter's environment keeps its prebuilt index."""
    name = f"entry-points.{sys.implementation.cache_tag}.index"
    return os.path.join(sys.prefix, "share", "plux", name)


def _environment_path(path: Sequence[str] | None) -> tuple[str, ...]:
    # sys.path[0] is the running script's own folder: not part of the environment
    return tuple(sys.path[1:] if path is None else path)


def _read(file: str) -> tuple[EntryPointIndex | None, str]:
    """The prebuilt index in ``file`` if it may be trusted, else None and why not."""
    try:
        header, body, st = read_trusted(file)
    except FileNotFoundError:
        return None, f"no prebuilt index at {file} (`plux index build` makes one)"
    except OSError as e:
        return None, f"{file} cannot be read: {e.strerror or e}"
    owners = (0, _owner())
    for what, status in ((file, st), (os.path.dirname(file), _stat(os.path.dirname(file)))):
        if status is None or not trusted(status, owners):
            return None, _distrust(what, status, owners)
    try:
        index = EntryPointIndex.from_header(header, body) if header is not None else None
    except DamagedIndex:
        index = None
    if index is None:
        return None, f"{file} is damaged or of another plux version: run `plux index build`"
    if st.st_ctime_ns > index.written_ns + _COPIED_AFTER_NS:
        # a copy of the environment (an unpacked image): compare what a copy keeps
        index.built_ctime_ns = st.st_ctime_ns
    return index, ""


def _owner() -> int:
    st = _stat(sys.prefix)
    return st.st_uid if st is not None else 0


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _distrust(what: str, st: os.stat_result | None, owners: tuple[int, int]) -> str:
    if st is None:
        return f"{what} cannot be read"
    if st.st_uid not in owners:
        return (
            f"{what} is owned by uid {st.st_uid}, neither root nor the environment's owner "
            f"(uid {owners[1]})"
        )
    return f"{what} is writable by group or others"


def _adopt(index: EntryPointIndex, path: Sequence[str], ident: Identity) -> EntryPointIndex | None:
    """``index`` for a process of this environment with ``path``, when that path holds the same
    distributions in the same order (each entry it does not know must hold none), else None."""
    built = index.identity
    if (built.format, built.prefix, built.version) != (ident.format, ident.prefix, ident.version):
        return None
    known = {e.entry: (e.stamp, e.holds_distributions) for e in index.path_entries}
    entries: list[PathEntry] = []
    order: list[str] = []
    for entry in path:
        if entry in known:
            stamp, holds = known[entry]
            if holds:
                order.append(entry)
        elif _holds_distributions(entry):
            return None
        else:
            stamp, holds = file_stamp(entry or "."), False
        entries.append(PathEntry(entry, stamp, holds))
    bearing = [e.entry for e in index.path_entries if e.holds_distributions]
    if list(dict.fromkeys(order)) != list(dict.fromkeys(bearing)):
        return None
    return index.rebased(ident, tuple(entries))


def _holds_distributions(entry: str) -> bool:
    # a file on the path may be a zip file of distributions; a missing or unreadable folder holds
    # none for importlib.metadata either
    return os.path.isfile(entry or ".") or bool(metadata_children(entry))


def read_prebuilt(path: Sequence[str], ident: Identity) -> EntryPointIndex | None:
    """The environment's prebuilt index for a process with ``path`` and ``ident``, if trusted and
    built for the same distributions (whether its stamps hold is the caller's check)."""
    index, _ = _read(prebuilt_index_file())
    return _adopt(index, path, ident) if index is not None else None


def prebuilt_status(path: Sequence[str] | None = None) -> str | None:
    """None when a process with ``path`` (default: ``sys.path[1:]``, as every script has it)
    answers from the prebuilt index; else one line saying why not."""
    path = _environment_path(path)
    file = prebuilt_index_file()
    index, why = _read(file)
    if index is None:
        return why
    adopted = _adopt(index, path, identity(path))
    if adopted is None:
        return f"{file} was built for another interpreter or path: run `plux index build`"
    changed = adopted.changed()
    if changed is not None:
        return f"changed since {file} was built: {changed} (run `plux index build` again)"
    return None


def _recent(scanned: EntryStamp, start_ns: int) -> bool:
    """Whether a path entry or a distribution in it was changing when the scan began at
    ``start_ns``: racy, or modified in that very second (all that a copy keeps of the time)."""
    second = start_ns // 1_000_000_000
    return (
        scanned.racy
        or bool(scanned.unsettled)
        or any(s[0] // 1_000_000_000 >= second for s in (scanned.stamp, *scanned.stamps))
    )


def build_prebuilt_index(path: Sequence[str] | None = None) -> PrebuiltIndex:
    """Index ``path`` (default: ``sys.path[1:]``) with every group completed, and write it as
    the environment's prebuilt index (folder 0755, file 0644, atomically)."""
    import time

    from plux.runtime._index_build import index_environment
    from plux.runtime._index_completion import complete_group

    path = _environment_path(path)
    file = prebuilt_index_file()
    for _ in range(_RACY_TRIES):
        start = time.time_ns()
        stamps = scan_stamps(path)
        # A copy keeps whole seconds: what changed in the second of the scan could change again
        # unseen there. Wait until every stamp is older.
        if not any(_recent(entry, start) for entry in stamps):
            break
        time.sleep(_RACY_WAIT_S)
    index = index_environment(path, stamps)
    for group in list(index.groups):
        complete_group(index, group)
    try:
        os.makedirs(os.path.dirname(file), 0o755, exist_ok=True)
        write_atomically(file, index.to_parts(), 0o644)
    except OSError as e:
        raise PrebuiltIndexError(
            f"cannot write the prebuilt index {file}: {e.strerror or e}; run `plux index build` "
            f"as the owner of {sys.prefix} (or root)"
        ) from e
    visible = index.table().visible()
    count = sum(len(index.rows(group)) for group in index.groups)
    return PrebuiltIndex(file, len(visible), count, path)
