"""The index file's bytes: its layout, written and read in one place.

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

from plux.core._typing import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Protocol

    from plux.runtime._stamps import Stamp

    class Body(Protocol):
        """The body of an index file: its bytes, or the file they are read from when asked."""

        def __getitem__(self, part: slice, /) -> bytes | memoryview: ...


__all__ = [
    "INDEX_FORMAT",
    "Block",
    "BodyWriter",
    "DamagedIndex",
    "Header",
    "decode_block",
    "decode_file",
    "decode_header",
    "decode_stamps",
    "encode_block",
    "encode_file",
    "encode_stamps",
    "header_size",
]

INDEX_FORMAT = 6
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

_MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
PREFIX_SIZE = len(_MAGIC) + 8
"""The magic, then the header's CRC-32 and length."""
_MARSHAL_VERSION = 4
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


def _crc32(data: bytes | memoryview) -> int:
    from zlib import crc32

    return crc32(data)


def encode_block(value: Any) -> bytes:
    """A value as a block's bytes."""
    return marshal.dumps(value, _MARSHAL_VERSION)


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
        if len(data) != length or _crc32(data) != crc:
            raise DamagedIndex("a block of the index file is damaged")
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError) as e:
        raise DamagedIndex(f"a block of the index file does not decode: {e}") from e


def encode_file(header: Header, body: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """The bytes of the file of ``header`` and the parts of its ``body`` (the blocks that a
    :class:`BodyWriter` placed), in parts: written one after the other, never joined."""
    data = encode_block(tuple(header))
    prefix = _crc32(data).to_bytes(4, "big") + len(data).to_bytes(4, "big")
    return [_MAGIC + prefix + data, *body]


def header_size(prefix: bytes | memoryview) -> int | None:
    """How many bytes the magic and the header take in a file that starts with ``prefix`` (its
    first :data:`PREFIX_SIZE` bytes or more); None when it is not a file of this format."""
    if len(prefix) < PREFIX_SIZE or bytes(prefix[: len(_MAGIC)]) != _MAGIC:
        return None
    return PREFIX_SIZE + int.from_bytes(prefix[len(_MAGIC) + 4 : PREFIX_SIZE], "big")


def decode_header(head: bytes | memoryview, size: int) -> Header | None:
    """The header of a file of ``size`` bytes that starts with ``head`` (its first
    :func:`header_size` bytes); None when they are not a whole header of this format, or the
    file is not as long as the header says (truncated, two writers' bytes interleaved). Raises
    :class:`DamagedIndex` when the header passes its CRC-32 but is not a :class:`Header`."""
    end = header_size(head)
    if end is None or len(head) < end:
        return None
    raw = head[PREFIX_SIZE:end]
    if _crc32(raw) != int.from_bytes(head[len(_MAGIC) : len(_MAGIC) + 4], "big"):
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
            crc = _crc32(data)
        else:
            offset, length, crc = block
            data = source[offset : offset + length]
        ref = (self.length, len(data), crc)
        self.parts.append(data)
        self.length += len(data)
        return ref
