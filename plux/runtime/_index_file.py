"""The index file: where it lives, and reading and writing it so that it can be trusted.

Where: ``$PLUX_CACHE_DIR`` if set, else the platform's user cache folder (``$XDG_CACHE_HOME/plux``
or ``~/.cache/plux``; ``~/Library/Caches/plux`` on macOS; ``%LOCALAPPDATA%\\plux\\Cache`` on
Windows); ``PLUX_NO_CACHE=1`` switches the file off. One file per interpreter, prefix and path
list. The folder (0700) and the file (0600) are trusted only while owned by this user and not
writable by group or others; the file is written atomically.

A process reads the header when it opens the file and each block when it first uses it, from the
same open file (:class:`FileBody`): at 5,000 distributions the file holds about 5.2 MB, of which
a warm process reads the header (about 0.5 MB, most of it the watched files and their stamps)
and one group's block.
"""

from __future__ import annotations

import os
import stat
import sys

from plux.runtime._index import EntryPointIndex
from plux.runtime._index_format import DamagedIndex, decode_header, header_size

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from plux.runtime._index import Identity
    from plux.runtime._index_format import Body, Header

__all__ = [
    "cache_disabled",
    "default_cache_dir",
    "index_file_name",
    "mark_used",
    "prepare_cache_dir",
    "prune_index_files",
    "read_index_file",
    "read_trusted",
    "trusted",
    "write_atomically",
    "write_index_file",
]

_OFF = ("1", "true", "yes", "on")


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

    parts = [ident.executable, ident.prefix, ident.version, *ident.path]
    if any(not os.path.isabs(entry) for entry in ident.path):
        try:
            parts.append(os.getcwd())
        except OSError:
            pass
    key = "\0".join(parts).encode("utf-8", "surrogatepass")
    return f"{_PREFIX}{crc32(key):08x}{adler32(key):08x}{_SUFFIX}"


def prune_index_files(directory: str, keep: str) -> None:
    """Remove index files not used for 30 days (of paths no longer used), except ``keep``,
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


def prepare_cache_dir(directory: str, create: bool = True) -> bool:
    """Create ``directory`` (and missing parents) with mode 0700 unless it exists (or ``create``
    is false); whether it may be used: a real folder owned by this user that group and others
    cannot write to."""
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        if not create:
            return False
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


def trusted(st: os.stat_result, owners: tuple[int, ...] | None = None) -> bool:
    """Whether a file or folder with status ``st`` may be trusted: owned by this user (or one of
    ``owners``) and not writable by group or others (where the platform has owners)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return True
    allowed = owners if owners is not None else (geteuid(),)
    return st.st_uid in allowed and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


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


_USED_EVERY_NS = 24 * 3600 * 10**9
"""How often an index file in use is marked so (its mtime set to now): at most daily."""


def mark_used(file: str, index: EntryPointIndex) -> None:
    """Mark ``file``, from which ``index`` was read, as used now, so that it is not pruned
    (:func:`prune_index_files` goes by last use); once a day at most."""
    import time

    if index.last_used_ns < time.time_ns() - _USED_EVERY_NS:
        try:
            os.utime(file)
        except OSError:
            pass  # a file that cannot be marked is pruned sooner, and then rebuilt


_HEAD = 1 << 16
"""Bytes read when the file is opened: the header, in most files (the rest of it if not)."""
_TRIES = 3
"""Reads of a header that another program rewrites in place meanwhile (plux replaces files)."""


class FileBody:
    """The body of an index file, read when asked from the file as it was opened (a file that
    another process replaces meanwhile is still read as it was; one rewritten in place fails
    the blocks' checksums)."""

    def __init__(self, fd: int, start: int) -> None:
        self._file = os.fdopen(fd, "rb", buffering=0)  # closes the file when no index uses it
        self._start = start

    def __getitem__(self, part: slice) -> bytes:
        start, length = self._start + part.start, part.stop - part.start
        chunks = [os.pread(self._file.fileno(), length, start)]
        while chunks[-1] and sum(map(len, chunks)) < length:
            done = sum(map(len, chunks))
            chunks.append(os.pread(self._file.fileno(), length - done, start + done))
        return b"".join(chunks)


def read_trusted(file: str) -> tuple[Header | None, Body, os.stat_result]:
    """The header of the index file ``file`` (None when it is not a whole, undamaged index file
    of this format), its body, read when asked, and the file's status, opened so that nothing in its
    place can fool or block the process. A header that another program rewrites in place while
    it is read is read again. Raises OSError when the file cannot be read or is not a regular
    file (a symlink, a FIFO, a folder)."""
    for attempt in range(_TRIES):
        fd, st = _open_regular(file)
        try:
            head = os.read(fd, _HEAD)
            end = header_size(head)
            if end is not None and end > len(head):
                head += os.pread(fd, end - len(head), len(head))
            after = os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        if (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
            break
        if attempt < _TRIES - 1:
            os.close(fd)
    try:
        header = decode_header(head, st.st_size)
    except DamagedIndex:
        header = None
    return header, FileBody(fd, st.st_size - (header.body_length if header else 0)), st


def _open_regular(file: str) -> tuple[int, os.stat_result]:
    # O_NONBLOCK: a FIFO in the file's place must not block the process (it is then rejected as
    # not a regular file); for regular files the flag changes nothing.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(file, flags | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise IsADirectoryError(f"{file} is not a regular file")
    return fd, st


def write_index_file(file: str, index: EntryPointIndex) -> bool:
    """Write ``index`` to ``file`` atomically with mode 0600 (:func:`write_atomically`). An
    existing ``file`` that is not :func:`trusted` is left alone. Returns whether the index was
    written; failing to write is never an error."""
    try:
        st = os.lstat(file)
        if not stat.S_ISREG(st.st_mode) or not trusted(st):
            return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    try:
        write_atomically(file, index.to_parts(), 0o600)
    except OSError:
        return False
    index.dirty = False
    return True


def write_atomically(file: str, parts: Sequence[bytes | memoryview], mode: int) -> None:
    """Write ``parts`` one after the other to ``file`` through a private temporary file in the
    same folder and ``os.replace``, so that a reader sees the old file or the new one, never part
    of one."""
    directory, name = os.path.split(file)
    temp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(6).hex()}{_TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temp, flags | getattr(os, "O_BINARY", 0), mode)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask
            for part in parts:
                view = memoryview(part)
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
        raise
