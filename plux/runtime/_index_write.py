"""Writing the index file (:mod:`plux.runtime._index_file` holds its layout): the blocks and the
header as bytes, the file replaced atomically, and index files no longer used pruned."""

from __future__ import annotations

import marshal
import os
import stat

from plux.runtime._index_file import (
    INDEX_FILE_PREFIX,
    INDEX_FILE_SUFFIX,
    MAGIC,
    MARSHAL_VERSION,
    crc32,
    trusted,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from plux.runtime._index import EntryPointIndex
    from plux.runtime._index_file import Block, Body, Header

__all__ = [
    "BodyWriter",
    "encode_block",
    "encode_file",
    "prune_index_files",
    "write_atomically",
    "write_index_file",
]

_MAX_AGE_NS = 30 * 24 * 3600 * 10**9
_TEMP_PREFIX, _TEMP_SUFFIX = "." + INDEX_FILE_PREFIX, ".tmp"
_TEMP_MAX_AGE_NS = 24 * 3600 * 10**9
"""A temporary file this old was left by a writer that died before renaming it."""


def encode_block(value: Any) -> bytes:
    """A value as a block's bytes."""
    return marshal.dumps(value, MARSHAL_VERSION)


def encode_file(header: Header, body: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """The bytes of the file of ``header`` and the parts of its ``body`` (the blocks that a
    :class:`BodyWriter` placed), in parts: written one after the other, never joined."""
    data = encode_block(tuple(header))
    prefix = crc32(data).to_bytes(4, "big") + len(data).to_bytes(4, "big")
    return [MAGIC + prefix + data, *body]


class BodyWriter:
    """Lays blocks out one after the other in a body (kept in parts: a body of megabytes is
    copied once, into the file's bytes)."""

    def __init__(self) -> None:
        self.parts: list[bytes | memoryview] = []
        self.length = 0

    def place(self, block: Block, source: Body) -> tuple[int, int, int]:
        """The reference of ``block`` (as :func:`decode_block` takes it, from ``source``) in the
        new body; its bytes are copied, not decoded."""
        if isinstance(block, bytes):
            data: bytes | memoryview = block
            crc = crc32(data)
        else:
            offset, length, crc = block
            data = source[offset : offset + length]
        ref = (self.length, len(data), crc)
        self.parts.append(data)
        self.length += len(data)
        return ref


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


def prune_index_files(directory: str, keep: str) -> None:
    """Remove index files not used for 30 days (of paths no longer used), except ``keep``,
    and temporary files that writers killed before renaming them left behind a day ago."""
    import time

    now = time.time_ns()
    try:
        with os.scandir(directory) as it:
            for entry in it:
                name = entry.name
                if (
                    name.startswith(INDEX_FILE_PREFIX)
                    and name.endswith(INDEX_FILE_SUFFIX)
                    and name != keep
                ):
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
