"""The on-disk index under faults: failed writes, full and read-only disks, damaged files."""

from __future__ import annotations

import errno
import itertools
import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prebuilt_support import reencode_header  # loaded by conftest.py

from plux.runtime import cache as cache_module
from plux.runtime._index import EntryPointIndex, identity
from plux.runtime._index_file import INDEX_FORMAT, PREFIX_SIZE, Header, decode_file
from plux.runtime.cache import EntryPointsCache, read_index_file

from ..conftest import METADATA_READS, PythonRunner, SiteBuilder
from .conftest import GROUP, CacheFactory, JsonRunner, Mount, entry_names

LIST = f"""
import json
from plux.runtime.cache import EntryPointsCache
cache = EntryPointsCache.instance()
print(json.dumps([sorted(e.name for e in cache.entry_points_of("{GROUP}")), cache.index_file]))
"""

WARM = f"""
import json, runpy
reads = runpy.run_path({METADATA_READS!r})
reads["refuse"]("the index was not current: distribution metadata was read")
from plux.runtime.cache import EntryPointsCache
print(json.dumps(sorted(e.name for e in EntryPointsCache.instance().entry_points_of("{GROUP}"))))
"""


@pytest.fixture
def site(site_builder: SiteBuilder) -> SiteBuilder:
    """A site with three distributions, one of them a plux 1.16 one with a lower-cased name."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A", "b": "one:B"}})
    site_builder.add_distribution(
        "then-old",
        entry_points={GROUP: {"aws::queue": "then_old:Queue"}},
        modules={
            "then_old.py": """
                class Queue:
                    namespace = "hard.plugins"
                    name = "AWS::Queue"
            """
        },
    )
    site_builder.add_distribution("other", entry_points={"other.group": {"x": "other:X"}})
    return site_builder


@pytest.fixture
def written(site: SiteBuilder, make_cache: CacheFactory) -> Path:
    """The index file a first process wrote for ``site``."""
    cache = make_cache()
    assert entry_names(cache) == ["a", "aws::queue", "b"]
    assert cache.index_file is not None
    return Path(cache.index_file)


def ident_of(site: SiteBuilder) -> tuple[int, str, str, str, tuple[str, ...]]:
    return identity([str(site.path)])


def new_distribution(site: SiteBuilder) -> None:
    """Install one more plugin, so that the next process must rebuild and write the index."""
    site.add_distribution("two", entry_points={GROUP: {"c": "two:C"}})


def leftovers(directory: Path, keep: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p != keep)


# --- write errors during the atomic write ---------------------------------------------------------


@pytest.fixture
def failing_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """``os.write`` to a temporary index file writes part of the data, then fails with ENOSPC.

    Yields the list of file descriptors that failed, to show the fault really happened.
    """
    real_write = os.write
    failed: list[int] = []
    partial: set[int] = set()

    def write(fd: int, data: bytes | memoryview) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            return real_write(fd, data)
        if fd not in partial:
            partial.add(fd)
            return real_write(fd, bytes(data[: max(1, len(data) // 2)]))
        failed.append(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to tell temporary index files from other files")
    monkeypatch.setattr(cache_module.os, "write", write)
    yield failed


def test_write_failing_midway_keeps_the_old_index_intact(
    written: Path, site: SiteBuilder, make_cache: CacheFactory, failing_writes: list[int]
) -> None:
    """A write that fails half-way (disk full) leaves the old index byte for byte, and no temp."""
    before = written.read_bytes()
    new_distribution(site)
    assert entry_names(make_cache()) == ["a", "aws::queue", "b", "c"]
    assert failing_writes, "the fault was not injected"
    assert written.read_bytes() == before
    assert leftovers(written.parent, written) == []


def test_index_left_by_failed_write_is_seen_as_stale(
    written: Path, site: SiteBuilder, make_cache: CacheFactory, failing_writes: list[int]
) -> None:
    """After a failed write the old index still reads, and no longer holds for the new state."""

    new_distribution(site)
    entry_names(make_cache())
    assert failing_writes
    index = read_index_file(str(written), ident_of(site))
    assert index is not None and not index.holds()


def test_replace_failing_keeps_old_index_and_removes_temp(
    written: Path, site: SiteBuilder, make_cache: CacheFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the final rename fails (EIO), the old index stays and the temporary file is removed."""
    calls: list[str] = []

    def replace(src: str, dst: str) -> None:
        calls.append(src)
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    before = written.read_bytes()
    new_distribution(site)
    monkeypatch.setattr(cache_module.os, "replace", replace)
    assert entry_names(make_cache()) == ["a", "aws::queue", "b", "c"]
    assert calls and not os.path.exists(calls[0])
    assert written.read_bytes() == before
    assert leftovers(written.parent, written) == []


def test_next_process_writes_once_the_fault_is_gone(
    written: Path, site: SiteBuilder, make_cache: CacheFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed write is not fatal and not sticky: the next process writes the new index."""
    new_distribution(site)
    with monkeypatch.context() as patch:
        patch.setattr(cache_module.os, "replace", _raise_eio)
        entry_names(make_cache())
    entry_names(make_cache())
    index = read_index_file(str(written), ident_of(site))
    assert index is not None and "c" in [e.name for e in index.rows(GROUP)]


def _raise_eio(*args: object) -> None:
    raise OSError(errno.EIO, os.strerror(errno.EIO))


def test_full_disk_keeps_old_index_and_plugins_are_found(
    site: SiteBuilder,
    small_disk: Mount,
    fill_disk: Callable[[Path], Path],
    python: PythonRunner,
    run_json: JsonRunner,
) -> None:
    """On a really full file system the old index survives, processes still find every plugin,
    and once space is freed the next process writes the new index."""
    python.cache_dir = small_disk.path
    names, file = run_json(LIST)  # type: ignore[misc]
    assert names == ["a", "aws::queue", "b"]
    before = Path(file).read_bytes()
    filler = fill_disk(small_disk.path)
    new_distribution(site)
    assert run_json(LIST) == [["a", "aws::queue", "b", "c"], file]
    assert Path(file).read_bytes() == before
    assert leftovers(small_disk.path, Path(file)) == ["filler"]
    filler.unlink()
    run_json(LIST)
    assert Path(file).read_bytes() != before
    assert run_json(WARM) == ["a", "aws::queue", "b", "c"]


# --- read-only cache folder -----------------------------------------------------------------------


@pytest.fixture
def read_only_cache(tmp_path: Path) -> Iterator[Mount | Path]:
    """A cache folder that cannot be written: a read-only tmpfs when root (whom file modes do not
    stop), else a folder of mode 0500. Call ``make_read_only`` on it once it holds an index."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        mount = Mount(tmp_path / "ro-cache", "1m")
        yield mount
        mount.unmount()
    else:
        folder = tmp_path / "ro-cache"
        folder.mkdir(mode=0o700)
        yield folder
        folder.chmod(0o700)


def make_read_only(target: Mount | Path) -> Path:
    if isinstance(target, Mount):
        target.read_only()
        return target.path
    target.chmod(0o500)
    return target


def cache_folder(target: Mount | Path) -> Path:
    return target.path if isinstance(target, Mount) else target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_read_only_cache_dir_with_current_index_is_read(
    site: SiteBuilder, read_only_cache: Mount | Path, python: PythonRunner, run_json: JsonRunner
) -> None:
    """A current index in a read-only cache folder is used as is; nothing is written."""
    python.cache_dir = cache_folder(read_only_cache)
    first = run_json(LIST)
    folder = make_read_only(read_only_cache)
    before = snapshot(folder)
    assert run_json(LIST) == first
    assert run_json(WARM) == first[0]  # type: ignore[index]
    assert snapshot(folder) == before


def test_read_only_cache_dir_with_stale_index_still_sees_changes(
    site: SiteBuilder, read_only_cache: Mount | Path, python: PythonRunner, run_json: JsonRunner
) -> None:
    """With a stale index in a read-only folder each process sees the change; writing fails
    quietly and leaves the folder as it was."""
    python.cache_dir = cache_folder(read_only_cache)
    run_json(LIST)
    folder = make_read_only(read_only_cache)
    before = snapshot(folder)
    new_distribution(site)
    for _ in range(2):
        names, _file = run_json(LIST)  # type: ignore[misc]
        assert names == ["a", "aws::queue", "b", "c"]
    assert snapshot(folder) == before


def test_read_only_empty_cache_dir_works_without_index(
    site: SiteBuilder, read_only_cache: Mount | Path, python: PythonRunner, run_json: JsonRunner
) -> None:
    """An empty cache folder that cannot be written: plugins are found and nothing fails."""
    python.cache_dir = make_read_only(read_only_cache)
    names, _file = run_json(LIST)  # type: ignore[misc]
    assert names == ["a", "aws::queue", "b"]
    assert list(python.cache_dir.iterdir()) == []


# --- damaged files --------------------------------------------------------------------------------


def test_index_truncated_at_every_offset_is_rejected(written: Path, site: SiteBuilder) -> None:
    """Every proper prefix of a real index file (including the empty one) is rejected."""
    data = written.read_bytes()
    ident = ident_of(site)
    accepted = [n for n in range(len(data)) if EntryPointIndex.from_bytes(data[:n], ident)]
    assert accepted == []
    assert EntryPointIndex.from_bytes(data, ident) is not None


def cut_points(data: bytes) -> list[int]:
    """Where to cut an index file so that every part of its layout is cut through: each byte of
    the prefix; the first, second, middle and last byte of each header field and of each block;
    and every 37th byte. (Rejecting every cut is checked at every byte above: rebuilding after
    each of those would start thousands of caches.)"""
    decoded = decode_file(data)
    assert decoded is not None
    header, body = decoded
    body_start = len(data) - len(body)
    # the header is a marshalled tuple: its first i fields encode as the header's first bytes
    ends = [PREFIX_SIZE + len(marshal.dumps(tuple(header)[:i], 4)) for i in range(len(header) + 1)]
    assert ends[-1] == body_start, "the header is no longer a marshalled tuple of its fields"
    regions = list(itertools.pairwise(ends))
    blocks = [*header.groups.values(), header.distributions, header.details, header.listings]
    regions += [(body_start + offset, body_start + offset + length) for offset, length, _ in blocks]
    points = set(range(PREFIX_SIZE + 1)) | set(range(0, len(data), 37)) | {len(data) - 1}
    for start, end in regions:
        points |= {start, start + 1, (start + end) // 2, end - 1}
    return sorted(p for p in points if p < len(data))


def test_every_truncated_index_is_rebuilt_by_the_next_process(
    written: Path, site: SiteBuilder, make_cache: CacheFactory
) -> None:
    """Wherever a real index is cut (in each part of its layout), the next cache finds every
    plugin and rewrites it."""
    data = written.read_bytes()
    ident = ident_of(site)
    wrong: list[int] = []
    for size in cut_points(data):
        written.write_bytes(data[:size])
        cache = make_cache()
        if entry_names(cache) != ["a", "aws::queue", "b"]:
            wrong.append(size)
        if cache.index_file != str(written) or read_index_file(str(written), ident) is None:
            wrong.append(size)
    assert wrong == []


def test_index_with_bytes_appended_is_rejected(written: Path, site: SiteBuilder) -> None:
    """A file with extra bytes after the payload (two writers interleaved) is rejected."""
    data = written.read_bytes()
    for extra in (b"\0", data, b"x" * 4096):
        assert EntryPointIndex.from_bytes(data + extra, ident_of(site)) is None


def _with_format(data: bytes, magic_format: int, identity_format: int) -> bytes:
    """The index ``data`` re-encoded as if written by a plux with other format numbers."""

    def other_identity(header: Header) -> Header:
        return header._replace(identity=(identity_format, *header.identity[1:]))

    return reencode_header(data, other_identity, magic_format)


@pytest.mark.parametrize(
    ("magic_format", "identity_format"),
    [
        (INDEX_FORMAT + 1, INDEX_FORMAT + 1),
        (INDEX_FORMAT - 1, INDEX_FORMAT - 1),
        (255, 255),
        (INDEX_FORMAT, INDEX_FORMAT + 1),
        (INDEX_FORMAT + 1, INDEX_FORMAT),
    ],
    ids=["newer", "older", "far-future", "newer-identity", "newer-header"],
)
def test_index_of_other_format_version_is_ignored_and_rebuilt(
    written: Path,
    site: SiteBuilder,
    make_cache: CacheFactory,
    magic_format: int,
    identity_format: int,
) -> None:
    """An intact index of a newer or older plux format is ignored and replaced by ours."""
    written.write_bytes(_with_format(written.read_bytes(), magic_format, identity_format))
    assert read_index_file(str(written), ident_of(site)) is None
    new_distribution(site)
    assert entry_names(make_cache()) == ["a", "aws::queue", "b", "c"]
    assert written.read_bytes()[:8] == b"PLUXIDX" + bytes((INDEX_FORMAT,))
    assert read_index_file(str(written), ident_of(site)) is not None


def test_watched_name_no_file_system_can_hold_is_a_change_not_an_error(
    written: Path, site: SiteBuilder, make_cache: CacheFactory
) -> None:
    """An index file whose watched names hold one that no file system can hold (a lone
    surrogate, as a hand edit or a plux with a bug might write) does not hold: the next cache
    answers from the distributions, and raises nothing."""

    def unencodable(header: Header) -> Header:
        (entry, names, stamps), *others = header.watched_files
        odd = names.replace("entry_points.txt", "\ud800", 1)
        return header._replace(watched_files=((entry, odd, stamps), *others))

    written.write_bytes(reencode_header(written.read_bytes(), unencodable))
    assert entry_names(make_cache()) == ["a", "aws::queue", "b"]


def test_format_round_trip_helper_is_faithful(written: Path, site: SiteBuilder) -> None:
    """Re-encoding with our own format numbers gives a file we accept (the helper above is fair)."""
    same = _with_format(written.read_bytes(), INDEX_FORMAT, INDEX_FORMAT)
    assert EntryPointIndex.from_bytes(same, ident_of(site)) is not None


def test_fifo_in_place_of_index_does_not_block(
    site: SiteBuilder, run_json: JsonRunner, cache_dir: Path
) -> None:
    """A named pipe where the index file should be is passed over instead of blocking startup."""
    first = run_json(LIST)
    file = Path(first[1])  # type: ignore[index]
    file.unlink()
    os.mkfifo(file, 0o600)
    assert run_json(LIST) == first
    assert file.is_fifo()


def test_cache_dir_created_by_a_concurrent_process_is_used(
    site: SiteBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Losing the race to create the cache folder (EEXIST) still uses that folder."""
    folder = tmp_path / "fresh" / "plux"
    real_mkdir = os.mkdir

    def mkdir(path: str, mode: int = 0o777) -> None:
        real_mkdir(path, mode)  # the other process wins...
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)

    monkeypatch.setattr(cache_module.os, "mkdir", mkdir)
    cache = EntryPointsCache(cache_dir=str(folder), path=[str(site.path)])
    assert entry_names(cache) == ["a", "aws::queue", "b"]
    assert cache.index_file is not None and os.path.isfile(cache.index_file)


def test_temporary_files_of_killed_writers_are_pruned(
    site: SiteBuilder, make_cache: CacheFactory, cache_dir: Path
) -> None:
    """A temporary file a killed writer left a day ago is removed; a fresh one is left alone."""
    day = 24 * 3600 * 10**9
    stale = cache_dir / ".entry-points-0123456789abcdef.index.4242.a1b2c3d4e5f6.tmp"
    fresh = cache_dir / ".entry-points-0123456789abcdef.index.4343.f6e5d4c3b2a1.tmp"
    for file in (stale, fresh):
        file.write_bytes(b"PLUXIDX")
        file.chmod(0o600)
    st = stale.stat()
    os.utime(stale, ns=(st.st_atime_ns - 2 * day, st.st_mtime_ns - 2 * day))
    cache = make_cache()
    entry_names(cache)
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted(
        [fresh.name, os.path.basename(str(cache.index_file))]
    )


# --- installed files that are hard to read --------------------------------------------------------


DEEP = ["+".join(["a"] * 200_000), "-" * 100_000 + "1"]


@pytest.mark.parametrize("expression", DEEP, ids=["long-chain", "deep-unary"])
def test_source_too_deep_to_parse_elsewhere_costs_nothing(
    site_builder: SiteBuilder, make_cache: CacheFactory, expression: str
) -> None:
    """Code the parser gives up on outside the plugin's own statement does not cost the plugin
    its declared name (only that statement is parsed); test_deep_source.py has it inside."""
    source = f'class Deep:\n    name = "AWS::Deep"\nx = {expression}\n'
    site_builder.add_distribution("fine", entry_points={GROUP: {"a": "fine:A"}})
    site_builder.add_distribution(
        "then-deep",
        entry_points={GROUP: {"aws::deep": "then_deep:Deep"}},
        modules={"then_deep.py": source},
    )
    cache = make_cache()
    assert sorted((e.name, e.declared_name) for e in cache.entry_points_of(GROUP)) == [
        ("a", None),
        ("aws::deep", "AWS::Deep"),
    ]


KILLED_WRITER = f"""
import os
os.replace = lambda *args: os._exit(9)  # killed after writing the temporary file, before the rename
from plux.runtime.cache import EntryPointsCache
EntryPointsCache.instance().entry_points_of("{GROUP}")
"""


def test_writer_killed_before_rename_leaves_old_index_valid(
    site: SiteBuilder, python: PythonRunner, run_json: JsonRunner, tmp_path: Path
) -> None:
    """A process killed between writing and renaming leaves the old index byte for byte (plus
    its temporary file), and the next process finds every plugin."""
    _, file = run_json(LIST)  # type: ignore[misc]
    before = Path(file).read_bytes()
    new_distribution(site)
    killed = subprocess.run(
        [sys.executable, "-s", "-c", KILLED_WRITER],
        env=python.environ(),
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr
    assert Path(file).read_bytes() == before
    assert [p.suffix for p in Path(file).parent.iterdir() if p.name != Path(file).name] == [".tmp"]
    assert run_json(LIST) == [["a", "aws::queue", "b", "c"], file]


def test_cache_dir_removed_while_running_is_harmless(
    site: SiteBuilder, make_cache: CacheFactory, cache_dir: Path
) -> None:
    """Removing the cache folder under a running process makes its next write fail quietly."""
    cache = make_cache()
    entry_names(cache)
    shutil.rmtree(cache_dir)
    new_distribution(site)
    cache.refresh()
    assert entry_names(cache) == ["a", "aws::queue", "b", "c"]
    assert not cache_dir.exists()


def test_site_path_that_is_not_utf8_is_indexed_and_read_back(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A path entry whose name is not valid UTF-8 (surrogate-escaped) survives the index file."""
    site = os.fsdecode(bytes(tmp_path) + b"/site-\xff")
    dist = Path(site) / "one-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: one\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\na = one:A\n")
    first = EntryPointsCache(cache_dir=str(cache_dir), path=[site])
    assert entry_names(first) == ["a"]
    assert first.index_file is not None
    assert read_index_file(first.index_file, identity([site])) is not None
    assert [
        e.path
        for e in EntryPointsCache(cache_dir=str(cache_dir), path=[site]).entry_points_of(GROUP)
    ] == [str(dist)]


def test_change_during_the_build_is_seen_by_the_next_process(
    site: SiteBuilder, make_cache: CacheFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry point added while the index is being built (after its file was read) is not
    lost: the stamps were taken first, so the next process rebuilds and sees it."""
    from plux.runtime import _distributions as distributions

    real_read = distributions.read_distribution_entry_points
    target = site.distributions[0] / "entry_points.txt"

    def read_then_change(path: str, *link: str | None):  # type: ignore[no-untyped-def]
        result = real_read(path, *link)
        if path == str(site.distributions[0]) and "late" not in target.read_text():
            target.write_text(target.read_text() + "late = one:Late\n")
        return result

    with monkeypatch.context() as patch:
        patch.setattr(distributions, "read_distribution_entry_points", read_then_change)
        assert entry_names(make_cache()) == ["a", "aws::queue", "b"]
    assert entry_names(make_cache()) == ["a", "aws::queue", "b", "late"]


def test_plugin_source_that_is_a_fifo_does_not_block_the_index(
    site_builder: SiteBuilder, make_cache: CacheFactory
) -> None:
    """An installed plugin "module" that is a FIFO costs only its declared name: reading it
    would wait forever for a writer."""
    site_builder.add_distribution("piped", entry_points={GROUP: {"aws::pipe": "piped:Pipe"}})
    os.mkfifo(site_builder.path / "piped.py")
    cache = make_cache()
    assert [(e.name, e.declared_name) for e in cache.entry_points_of(GROUP)] == [
        ("aws::pipe", None)
    ]


# --- another process replacing the index file -------------------------------------------------


def add_bare_distributions(site: SiteBuilder, count: int = 700) -> None:
    """Distributions without entry points, enough of them for an index file larger than one
    read of the file system."""
    for n in range(count):
        site.add_distribution(f"bare-distribution-with-a-long-name-{n:04d}")


CALLS: dict[str, Callable[[EntryPointsCache], object]] = {
    "entry_points_of": lambda cache: entry_names(cache, "other.group"),
    "groups": lambda cache: cache.groups(),
    "errors": lambda cache: cache.errors(),
    "get_entry_points": lambda cache: sorted(cache.get_entry_points()),
    "distribution": lambda cache: cache.distribution(cache.entry_points_of(GROUP)[0].path).name,
    "index_file": lambda cache: cache.index_file is not None,
    "refresh": lambda cache: cache.refresh(),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_index_replaced_by_another_process_between_calls(
    call: str, site: SiteBuilder, make_cache: CacheFactory, reads: list[str]
) -> None:
    """A long-lived process whose index file another process replaced since its check answers
    every call from what it checked, without an error; ``refresh()`` reads the new file
    (another distribution's plugin appears) and reads no distribution's metadata again."""
    add_bare_distributions(site)
    site.settle()
    assert entry_names(make_cache()) == ["a", "aws::queue", "b"]  # writes the index
    reader = make_cache()
    assert entry_names(reader) == ["a", "aws::queue", "b"]
    site.add_distribution("two", entry_points={"other.group": {"y": "two:Y"}})
    site.settle()
    assert entry_names(make_cache(), "other.group") == ["x", "y"]  # replaces the file
    reads.clear()
    CALLS[call](reader)
    expected = ["x", "y"] if call == "refresh" else ["x"]
    assert entry_names(reader, "other.group") == expected
    assert reads == []


def test_index_file_of_many_distributions_is_read_whole_and_trusted(
    site_builder: SiteBuilder, make_cache: CacheFactory
) -> None:
    """An index file larger than one read of the file system is read whole, and a warm process
    trusts it: it stamps each of the 701 distributions."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    add_bare_distributions(site_builder)
    site_builder.settle()
    first = make_cache()
    assert entry_names(first) == ["a"]
    assert first.index_file is not None
    assert os.path.getsize(first.index_file) > 1 << 16
    index = read_index_file(first.index_file, identity([str(site_builder.path)]))
    assert index is not None and index.holds()
    assert sum(len(files.names.split("\0")) for files in index.watched_files) == 701


def test_index_file_rewritten_in_place_while_read_is_read_again(
    written: Path, site: SiteBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that another program rewrites in place (not by rename) while plux reads it is
    read again, whole, rather than taken half old and half new."""

    def later(header: Header) -> Header:
        return header._replace(written_ns=header.written_ns + 1)

    old = written.read_bytes()
    new = reencode_header(old, later)
    real_read = os.read
    rewritten: list[int] = []

    def read(fd: int, length: int) -> bytes:
        if rewritten:
            return real_read(fd, length)
        rewritten.append(fd)
        chunk = real_read(fd, 10)  # the first bytes of the old file...
        written.write_bytes(new)  # ...then the rest of the new one
        return chunk

    monkeypatch.setattr(os, "read", read)
    index = read_index_file(str(written), ident_of(site))
    monkeypatch.undo()
    assert rewritten and index is not None
    assert index.written_ns == decode_file(new)[0].written_ns  # type: ignore[index]
