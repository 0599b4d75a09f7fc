"""The index's table of distributions: one row per metadata folder on the path.

A row (:class:`DistSummary`) keeps what a rebuild compares and orders by (the stamp, the
shadowing key, the groups) apart from the rest of the record, which it carries as marshalled
bytes: a rebuild after one install decodes and encodes only the distributions that changed.
"""

from __future__ import annotations

from plux.runtime._index_format import decode_block, encode_block
from plux.runtime._records import Record
from plux.runtime._stamps import DistStamp, Link

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.runtime._stamps import Stamp

__all__ = ["DistRecord", "DistSummary"]


class DistRecord(Record):
    """What was read from one metadata folder (kept for incremental rebuilds and errors)."""

    stamp: DistStamp
    link: Link | None
    name: str
    """The name as the folder spells it (as its metadata does once its group was completed, or
    when the folder name has none)."""
    key: str
    """The name it shadows later copies under (:func:`~plux.runtime._stamps.shadowing_key`)."""
    version: str
    entry_points: tuple[tuple[str, str, str], ...]
    """(group, name, value) of each entry point, in file order."""
    errors: tuple[str, ...]


class DistSummary(Record):
    """A distribution in the index's table: what a rebuild compares and orders by, and the rest
    of its record as bytes, carried over undecoded while its stamp holds. Its stamp and link are
    plain tuples, as the file keeps them."""

    stamp: tuple[str, bool, Stamp]
    link: tuple[str, Stamp, str, Stamp] | None
    key: str
    groups: tuple[str, ...]
    """The groups it has entry points in."""
    rest: bytes
    """Its record's name, version, entry points and errors, marshalled."""

    @classmethod
    def of(cls, record: DistRecord) -> DistSummary:
        groups = tuple(dict.fromkeys(group for group, _, _ in record.entry_points))
        rest = encode_block((record.name, record.version, record.entry_points, record.errors))
        link = tuple(record.link) if record.link is not None else None
        return cls(tuple(record.stamp), link, record.key, groups, rest)  # type: ignore[arg-type]

    def record(self) -> DistRecord:
        name, version, entry_points, errors = decode_block(self.rest, b"")
        link = Link._make(self.link) if self.link is not None else None
        stamp = DistStamp._make(self.stamp)
        return DistRecord(stamp, link, name, self.key, version, entry_points, errors)
