"""The index's table of distributions: every metadata folder on the path, in path order.

The table is kept as columns (:class:`DistTable`): the folders, their shadowing keys, and each
one's record as marshalled bytes. A rebuild decodes the paths and keys, compares stamps through
the watched files (:class:`~plux.runtime._index.WatchedFiles`), and carries the bytes of every
distribution whose stamp held over as they are: after one install it decodes and encodes only
what changed.
"""

from __future__ import annotations

from plux.core._typing import Record
from plux.runtime._index_file import decode_block
from plux.runtime._index_write import encode_block
from plux.runtime._stamps import Link

__all__ = ["DistRecord", "DistTable", "decode_row", "encode_row"]


class DistRecord(Record):
    """What was read from one metadata folder (kept for incremental rebuilds and errors)."""

    link: Link | None
    name: str
    """The name as the folder spells it (as its metadata does once its group was completed, or
    when the folder name has none)."""
    key: str
    """The name it shadows later copies under
    (:func:`~plux.runtime._distributions.shadowing_key`)."""
    version: str
    entry_points: tuple[tuple[str, str, str], ...]
    """(group, name, value) of each entry point, in file order."""
    errors: tuple[str, ...]

    def groups(self) -> set[str]:
        """The groups it has entry points in."""
        return {group for group, _, _ in self.entry_points}


def encode_row(record: DistRecord) -> bytes:
    """A record as the bytes of its row in the table."""
    link = tuple(record.link) if record.link is not None else None
    return encode_block((link, *record[1:]))


def decode_row(row: bytes) -> DistRecord:
    """The record of a row of the table (:func:`encode_row`)."""
    link, *rest = decode_block(row, b"")
    return DistRecord(Link._make(link) if link is not None else None, *rest)


class DistTable(Record):
    """The table's columns, one item per metadata folder in path order (as marshal keeps it)."""

    paths: tuple[str, ...]
    keys: tuple[str, ...]
    rows: tuple[bytes, ...]
    """Each one's record (:func:`encode_row`)."""
    hidden: tuple[str, ...]
    """The shadowed copies (a later folder of a name seen before on the path)."""

    def visible(self) -> list[str]:
        """The folders that count, in path order."""
        hidden = set(self.hidden)
        return [p for p in self.paths if p not in hidden] if hidden else list(self.paths)

    def records(self) -> dict[str, DistRecord]:
        """Each folder's record (decoding every row)."""
        return {p: decode_row(row) for p, row in zip(self.paths, self.rows, strict=True)}
