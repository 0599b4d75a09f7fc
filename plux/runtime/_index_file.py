"""The index file: where it lives, its layout, and reading it so that it can be trusted.

Where: ``$PLUX_CACHE_DIR`` if set, else the platform's user cache folder (``$XDG_CACHE_HOME/plux``
or ``~/.cache/plux``; ``~/Library/Caches/plux`` on macOS; ``%LOCALAPPDATA%\\plux\\Cache`` on
Windows); ``PLUX_NO_CACHE=1`` switches the file off. One file per interpreter, prefix and path
list. The folder (0700) and the file (0600) are trusted only while owned by this user and not
writable by group or others. A process reads the header when it opens the file and each block
when it first uses it, from the same open file (:class:`FileBody`). Writing it (atomically, and
pruning files no longer used) is :mod:`plux.runtime._index_write`'s, which a warm process does
not import.

Layout (format :data:`INDEX_FORMAT`; all integers big-endian)::

    offset  size  what
    0       7     b"PLUXIDX"
    7       1     INDEX_FORMAT
    8       4     CRC-32 of the header
    12      4     length of the header, H
    16      H     the header: a :class:`Header` as a marshalled tuple (marshal version 4)
    16+H    B     the body: the blocks, one after the other (B is the header's ``body_length``)

A block is a marshalled value in the body, named in the header by ``(offset in the body, length,
CRC-32)`` and decoded on first use. The header's fields hold plain tuples, dicts, strings, bytes
and integers only (what marshal takes); :mod:`plux.runtime._index` gives them their meaning:

- ``written_ns``; ``identity``: (format, executable, prefix, version, path);
- ``path_entries``: (entry, stamp, holds distributions) per ``sys.path`` entry; a stamp is
  (mtime_ns, ctime_ns, size, inode);
- ``unsettled_listings``: {entry: its metadata children}, listed again until settled;
- ``watched_files``: per path entry holding distributions, (entry, the watched file of each
  metadata folder relative to the entry, joined by NUL, their stamps as :func:`encode_stamps`
  bytes): what a warm check stats and compares as bytes;
- ``unsettled_distributions``: metadata folders read while changing; ``links``: plux 1.x
  editable links (file, stamp, target, target stamp);
- ``completed``: {group: ((source file, stamp), ...)} of the completed groups;
- ``groups``: {group: block}, each block a list of rows (name, value, group, distribution,
  version, metadata folder, declared name) in ``importlib.metadata``'s order;
- ``distributions``: the block of the table of distributions, columns (paths, shadowing keys,
  rows, hidden paths); a row is the marshalled bytes of (link, name, key, version, entry points,
  errors) (:mod:`plux.runtime._index_table`);
- ``details``: the block of what completing groups read ({source file: (stamp, declared names)},
  {metadata folder: distribution name}); ``listings``: the block of {entry: metadata children};
- ``body_length``.

A warm process decodes the header and the one group it asks for. A rebuild carries over the
bytes of every block, and of every row of the table, that did not change. Any change of this
layout or of a field's shape bumps :data:`INDEX_FORMAT`: a file of another format is ignored
(and rewritten), never misread (``tests/runtime/test_index_format.py`` holds a file's golden
bytes).
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from plux.core._typing import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from plux.runtime._index import Identity
    from plux.runtime._stamps import Stamp

    class Body(Protocol):
        """The body of an index file: its bytes, or the file they are read from when asked."""

        def __getitem__(self, part: slice, /) -> bytes | memoryview: ...


__all__ = [
    "INDEX_FILE_PREFIX",
    "INDEX_FILE_SUFFIX",
    "INDEX_FORMAT",
    "MAGIC",
    "MARSHAL_VERSION",
    "PREFIX_SIZE",
    "Block",
    "DamagedIndex",
    "FileBody",
    "Header",
    "cache_disabled",
    "crc32",
    "decode_block",
    "decode_file",
    "decode_header",
    "decode_stamps",
    "default_cache_dir",
    "encode_stamps",
    "header_size",
    "index_file_name",
    "mark_used",
    "prepare_cache_dir",
    "read_trusted",
    "trusted",
]

INDEX_FORMAT = 6
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
PREFIX_SIZE = len(MAGIC) + 8
"""The magic, then the header's CRC-32 and length."""
MARSHAL_VERSION = 4
"""The marshal version of the header and the blocks."""
_STAMPS_MARSHAL_VERSION = 2
"""Without references (version 3 on): the bytes of a list of stamps depend on its values only,
so that a warm check compares bytes (:func:`encode_stamps`)."""

Block = bytes | tuple[int, int, int]
"""A block: its marshalled bytes, or where it lies in the body it came from (offset, length,
CRC-32)."""


class DamagedIndex(Exception):
    """Bytes that pass the index file's checks but do not decode as an index (written by hand, or
    by a plux with a bug): the file is not used."""


class Header(Record):
    """The header of an index file (see :mod:`plux.runtime._index` for what each field means)."""

    written_ns: int
    """When the file was written (``time.time_ns()``)."""
    identity: tuple[Any, ...]
    path_entries: tuple[tuple[Any, ...], ...]
    unsettled_listings: dict[str, tuple[str, ...]]
    watched_files: tuple[tuple[str, str, bytes], ...]
    unsettled_distributions: tuple[str, ...]
    links: tuple[tuple[Any, ...], ...]
    completed: dict[str, tuple[tuple[str, Any], ...]]
    groups: dict[str, tuple[int, int, int]]
    distributions: tuple[int, int, int]
    details: tuple[int, int, int]
    listings: tuple[int, int, int]
    body_length: int


def crc32(data: bytes | memoryview) -> int:
    """The CRC-32 of ``data`` (zlib is imported when first needed)."""
    from zlib import crc32 as zlib_crc32

    return zlib_crc32(data)


def encode_stamps(stamps: list[Stamp]) -> bytes:
    """A list of stamps as bytes that equal another list's bytes exactly when the stamps do."""
    return marshal.dumps(stamps, _STAMPS_MARSHAL_VERSION)


def decode_stamps(data: bytes, count: int) -> list[Stamp]:
    """The ``count`` stamps that :func:`encode_stamps` encoded as ``data``. Raises
    :class:`DamagedIndex` when they do not decode as that many."""
    try:
        stamps = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as e:
        raise DamagedIndex(f"the stamps of the index file do not decode: {e}") from e
    if type(stamps) is not list or len(stamps) != count:
        raise DamagedIndex(f"the index file holds {count} watched files but other stamps")
    return stamps


def decode_block(block: Block, body: Body) -> Any:
    """The value of ``block`` (placed in ``body`` when it is not bytes). Raises
    :class:`DamagedIndex` when it lies outside the body, fails its CRC-32 or does not unmarshal."""
    if isinstance(block, bytes):
        data: bytes | memoryview = block
    else:
        try:
            offset, length, crc = block
        except (TypeError, ValueError) as e:
            raise DamagedIndex(f"a block reference is not (offset, length, crc): {block!r}") from e
        data = body[offset : offset + length]
        if len(data) != length or crc32(data) != crc:
            raise DamagedIndex("a block of the index file is damaged")
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError) as e:
        raise DamagedIndex(f"a block of the index file does not decode: {e}") from e


def header_size(prefix: bytes | memoryview) -> int | None:
    """How many bytes the magic and the header take in a file that starts with ``prefix`` (its
    first :data:`PREFIX_SIZE` bytes or more); None when it is not a file of this format."""
    if len(prefix) < PREFIX_SIZE or bytes(prefix[: len(MAGIC)]) != MAGIC:
        return None
    return PREFIX_SIZE + int.from_bytes(prefix[len(MAGIC) + 4 : PREFIX_SIZE], "big")


def decode_header(head: bytes | memoryview, size: int) -> Header | None:
    """The header of a file of ``size`` bytes that starts with ``head`` (its first
    :func:`header_size` bytes); None when they are not a whole header of this format, or the
    file is not as long as the header says (truncated, two writers' bytes interleaved). Raises
    :class:`DamagedIndex` when the header passes its CRC-32 but is not a :class:`Header`."""
    end = header_size(head)
    if end is None or len(head) < end:
        return None
    raw = head[PREFIX_SIZE:end]
    if crc32(raw) != int.from_bytes(head[len(MAGIC) : len(MAGIC) + 4], "big"):
        return None
    try:
        header = Header._make(marshal.loads(raw))
    except (EOFError, ValueError, TypeError) as e:
        raise DamagedIndex(f"the index file's header does not decode: {e}") from e
    return header if end + header.body_length == size else None


def decode_file(data: bytes) -> tuple[Header, memoryview] | None:
    """The header and the body of an index file's bytes (see :func:`decode_header`)."""
    header = decode_header(data, len(data))
    if header is None:
        return None
    return header, memoryview(data)[len(data) - header.body_length :]


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


INDEX_FILE_PREFIX, INDEX_FILE_SUFFIX = "entry-points-", ".index"


def index_file_name(ident: Identity) -> str:
    """A file name of its own for each interpreter, prefix, version and path list (and working
    directory, when the path has relative entries such as ``''``: processes started in different
    folders would otherwise take turns rebuilding one file)."""
    from zlib import adler32

    parts = [ident.executable, ident.prefix, ident.version, *ident.path]
    if any(not os.path.isabs(entry) for entry in ident.path):
        try:
            parts.append(os.getcwd())
        except OSError:
            pass
    key = "\0".join(parts).encode("utf-8", "surrogatepass")
    return f"{INDEX_FILE_PREFIX}{crc32(key):08x}{adler32(key):08x}{INDEX_FILE_SUFFIX}"


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


_USED_EVERY_NS = 24 * 3600 * 10**9
"""How often an index file in use is marked so (its mtime set to now): at most daily."""


def mark_used(file: str, last_used_ns: int) -> None:
    """Mark ``file``, last marked at ``last_used_ns``, as used now, so that it is not pruned
    (pruning goes by last use); once a day at most."""
    import time

    if last_used_ns < time.time_ns() - _USED_EVERY_NS:
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
