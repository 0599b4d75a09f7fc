"""The index file's format: a file written by this format decodes to what was written.

``GOLDEN`` is a file of format 6 written once by ``EntryPointIndex.to_parts`` from
:func:`sample`. A change of the layout or of a field's shape that keeps :data:`INDEX_FORMAT` makes
it decode to something else, or not at all: this test fails. A change that bumps the format
writes new golden bytes here (print ``b"".join(sample(...).to_parts()).hex()``).
"""

from __future__ import annotations

import marshal
import zlib

import pytest

from plux.runtime._index import (
    EntryPointIndex,
    Identity,
    IndexedEntryPoint,
    PathEntry,
    WatchedFiles,
)
from plux.runtime._index_file import (
    INDEX_FORMAT,
    DamagedIndex,
    Header,
    decode_file,
    encode_stamps,
)
from plux.runtime._index_write import encode_block
from plux.runtime._stamps import Link

GOLDEN_FORMAT = 6
GOLDEN = bytes.fromhex(
    "504c55584944580658274d56000001d4a90dec050000000068417d5574bc3c0100a905e906000000fa132f75"
    "73722f62696e2f707974686f6e332e3131fa052f76656e76fa06332e31312e37a901fa052f73697465a90129"
    "037208000000a9046c050000000000546cf873bc3c01006c050000000065ee27f973bc3c0100e978000000e9"
    "2a00000054fb7208000000a9017a116f6e652d312e302e646973742d696e666f30a90129037208000000fa22"
    "6f6e652d312e302e646973742d696e666f2f656e7472795f706f696e74732e747874f3320000005b01000000"
    "28040000006c050000000000546cf873bc3c01006c050000000065ee27f973bc3c01006978000000692a0000"
    "00a901fa172f736974652f6f6e652d312e302e646973742d696e666fa9012904fa312f736974652f6f6e652d"
    "312e302e646973742d696e666f2f656e7472795f706f696e74735f6564697461626c652e747874720a000000"
    "fa0b2f7372632f65702e747874720a000000fbda016729012902fa0c2f736974652f6f6e652e7079720a0000"
    "0030fb72180000002903e900000000e93800000069a3fc4d5a30a903721c000000e9520000006c030000008e"
    "7828770200a903e98a000000e924000000698811f614a903e9ae000000e91e0000006954421460e9cc000000"
    "db010000002907da0161fa056f6e653a41da0167da036f6e65fa03312e30fa172f736974652f6f6e652d312e"
    "302e646973742d696e666f4ea9042901fa172f736974652f6f6e652d312e302e646973742d696e666fa901da"
    "036f6e6529017325000000a9064eda036f6e657201000000fa03312e3029012903da0167da0161fa056f6e65"
    "3a41a900a900a9027b307bfa172f736974652f6f6e652d312e302e646973742d696e666fda036f6e6530fbfa"
    "052f73697465a9017a116f6e652d312e302e646973742d696e666f30"
)
WRITTEN_NS = 1_700_000_100_000_000_000
STAMP = (1_700_000_000_000_000_000, 1_700_000_000_500_000_000, 120, 42)
DIST = "/site/one-1.0.dist-info"
ROW = IndexedEntryPoint("a", "one:A", "g", "one", "1.0", DIST, None)
RECORD = (None, "one", "one", "1.0", (("g", "a", "one:A"),), ())
"""A distribution's link, name, key, version, entry points and errors."""


def sample() -> EntryPointIndex:
    """An index with one of everything a file holds."""
    return EntryPointIndex(
        identity=Identity(GOLDEN_FORMAT, "/usr/bin/python3.11", "/venv", "3.11.7", ("/site",)),
        path_entries=(PathEntry("/site", STAMP, True),),
        unsettled_listings={"/site": ("one-1.0.dist-info",)},
        watched_files=(
            WatchedFiles("/site", "one-1.0.dist-info/entry_points.txt", encode_stamps([STAMP])),
        ),
        unsettled_distributions=(DIST,),
        links=(Link(DIST + "/entry_points_editable.txt", STAMP, "/src/ep.txt", STAMP),),
        groups={"g": encode_block([tuple(ROW)])},
        completed={"g": (("/site/one.py", STAMP),)},
        distributions=encode_block(((DIST,), ("one",), (encode_block(RECORD),), ())),
        details=encode_block(({}, {DIST: "one"})),
        listings=encode_block({"/site": ("one-1.0.dist-info",)}),
    )


def test_golden_file_is_of_this_format():
    """The golden bytes are of the current format: a format bump comes with new golden bytes."""
    assert GOLDEN_FORMAT == INDEX_FORMAT
    assert GOLDEN[:8] == b"PLUXIDX" + bytes((INDEX_FORMAT,))


def contents(index: EntryPointIndex) -> dict[str, object]:
    """Everything an index holds, decoded."""
    return {
        "identity": index.identity,
        "path_entries": index.path_entries,
        "unsettled_listings": index.unsettled_listings,
        "watched_files": index.watched_files,
        "unsettled_distributions": index.unsettled_distributions,
        "links": index.links,
        "completed": index.completed,
        "rows": index.rows("g"),
        "table": index.table(),
        "records": index.table().records(),
        "details": index.details(),
        "listing": index.listing("/site"),
    }


def test_golden_file_decodes_to_the_index_it_was_written_from():
    """Every field of the golden file decodes to what :func:`sample` holds."""
    expected = sample()
    index = EntryPointIndex.from_bytes(GOLDEN, expected.identity)
    assert index is not None
    assert index.written_ns == WRITTEN_NS
    assert contents(index) == contents(expected)
    assert index.rows("g") == [ROW]


def test_index_written_now_reads_as_the_golden_file(monkeypatch):
    """Writing :func:`sample` today gives a file that holds what the golden one holds, with the
    same header outside the blocks' places (marshal may lay a block's bytes out otherwise)."""
    import time

    monkeypatch.setattr(time, "time_ns", lambda: WRITTEN_NS)
    data = b"".join(sample().to_parts())
    written, golden = decode_file(data), decode_file(GOLDEN)
    assert written is not None and golden is not None
    places = ("groups", "distributions", "details", "listings", "body_length")
    assert {k: v for k, v in written[0]._asdict().items() if k not in places} == {
        k: v for k, v in golden[0]._asdict().items() if k not in places
    }
    again = EntryPointIndex.from_bytes(data, None)
    assert again is not None and contents(again) == contents(sample())


def _with_header(fields: tuple[object, ...]) -> bytes:
    header = marshal.dumps(fields, 4)
    sizes = zlib.crc32(header).to_bytes(4, "big") + len(header).to_bytes(4, "big")
    return GOLDEN[:8] + sizes + header


def test_header_of_another_shape_is_a_damaged_index():
    """A header that passes its checksum but is not a :class:`Header` raises DamagedIndex (and
    only that), which the cache takes as no index."""
    with pytest.raises(DamagedIndex):
        decode_file(_with_header((1, 2, 3)))


def test_block_that_does_not_decode_is_a_damaged_index():
    """A block whose checksum holds but whose bytes are not marshal data raises DamagedIndex."""
    golden = decode_file(GOLDEN)
    assert golden is not None
    header, _ = golden
    body = b"\xff\xff\xff"
    bad = header._replace(listings=(0, len(body), zlib.crc32(body)), body_length=len(body))
    data = _with_header(tuple(bad)) + body
    index = EntryPointIndex.from_bytes(data, None)
    assert index is not None
    with pytest.raises(DamagedIndex):
        index.listing("/site")


def test_header_fields_are_named():
    """The header is a record read by name, in the order the file keeps its fields."""
    assert Header._fields == (
        "written_ns",
        "identity",
        "path_entries",
        "unsettled_listings",
        "watched_files",
        "unsettled_distributions",
        "links",
        "completed",
        "groups",
        "distributions",
        "details",
        "listings",
        "body_length",
    )
