"""The index file is trusted only when intact, ours and private; writing it is atomic."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import zlib

import pytest

from plux.runtime._index import identity
from plux.runtime._index_build import index_environment
from plux.runtime._index_file import INDEX_FORMAT
from plux.runtime._index_write import prune_index_files, write_index_file
from plux.runtime._scan import scan_stamps
from plux.runtime.cache import read_index_file

GROUP = "idx.plugins"
OTHER_UID = 54321


@pytest.fixture
def written(site_builder, make_cache, names):
    """A site with one distribution, and the path of the index file a first process wrote."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    cache = make_cache()
    assert names(cache, GROUP) == ["a"]
    assert cache.index_file is not None and os.path.exists(cache.index_file)
    return cache.index_file


def ident_of(site_builder):
    return identity([str(site_builder.path)])


def test_written_file_is_private_in_private_dir(written, cache_dir):
    """The index file has mode 0600 in a directory of mode 0700."""
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700


def test_missing_cache_dir_is_created_0700(site_builder, tmp_path, make_cache, names):
    """A cache directory that does not exist yet is created with mode 0700, parents too."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    directory = tmp_path / "new" / "plux"
    assert names(make_cache(cache_dir=str(directory)), GROUP) == ["a"]
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(directory.parent.stat().st_mode) == 0o700
    assert len(list(directory.iterdir())) == 1


def test_intact_file_is_read_back(written, site_builder):
    """The file a process wrote is read back for the same interpreter and path."""
    index = read_index_file(written, ident_of(site_builder))
    assert index is not None
    assert [e.name for e in index.rows(GROUP)] == ["a"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(
            lambda data: data[:40] + bytes([data[40] ^ 0xFF]) + data[41:], id="flipped-byte"
        ),
        pytest.param(lambda data: os.urandom(len(data)), id="random"),
        pytest.param(lambda data: data[:7] + bytes([INDEX_FORMAT + 1]) + data[8:], id="format"),
        pytest.param(lambda data: b"[idx.plugins]\nb = x:Y\n", id="plux-1-text"),
    ],
)
def test_damaged_file_is_ignored_and_replaced(written, site_builder, make_cache, names, damage):
    """A corrupt, truncated or foreign-format file is ignored, and the next write repairs it."""
    with open(written, "rb") as fh:
        data = fh.read()
    with open(written, "wb") as fh:
        fh.write(damage(data))
    assert read_index_file(written, ident_of(site_builder)) is None
    assert names(make_cache(), GROUP) == ["a"]
    assert read_index_file(written, ident_of(site_builder)) is not None


def test_checksummed_file_of_wrong_shape_is_rebuilt(written, site_builder, make_cache, names):
    """A file with a valid checksum but a payload of the wrong shape is rebuilt, not fatal."""
    import marshal

    with open(written, "rb") as fh:
        good = fh.read()
    ident = ident_of(site_builder)
    payload = marshal.dumps((tuple(ident), "stamps", (), {}, {GROUP: b"not marshal"}, b"", b""))
    with open(written, "wb") as fh:
        fh.write(good[:8] + zlib.crc32(payload).to_bytes(4, "big") + payload)
    assert names(make_cache(), GROUP) == ["a"]


def test_index_of_other_interpreter_is_ignored(written, site_builder, make_cache, names):
    """An index recorded for another interpreter (here written under our file name) is ignored."""
    path = [str(site_builder.path)]
    foreign = index_environment(path, scan_stamps(path))
    foreign.identity = (INDEX_FORMAT, "/other/bin/python", "/other", sys.version, tuple(path))
    foreign.set_rows(GROUP, [])
    assert write_index_file(written, foreign)
    assert read_index_file(written, ident_of(site_builder)) is None
    assert names(make_cache(), GROUP) == ["a"]


def test_interpreters_and_paths_get_separate_files(written, site_builder, second_site, make_cache):
    """Another path list (or interpreter) writes its own file instead of sharing one."""
    other = make_cache(second_site.path, site_builder.path)
    other.entry_points_of(GROUP)
    assert other.index_file != written
    assert sorted(os.listdir(os.path.dirname(written))) == sorted(
        os.path.basename(f) for f in (written, other.index_file)
    )


def test_file_owned_by_other_user_is_ignored_and_kept(written, site_builder, make_cache, names):
    """An index file owned by another user is neither trusted nor written into."""
    os.chown(written, OTHER_UID, OTHER_UID)
    with open(written, "rb") as fh:
        before = fh.read()
    assert read_index_file(written, ident_of(site_builder)) is None
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert names(make_cache(), GROUP) == ["a", "b"]
    with open(written, "rb") as fh:
        assert fh.read() == before
    assert os.stat(written).st_uid == OTHER_UID


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666], ids=["group", "others", "both"])
def test_file_writable_by_others_is_ignored_and_kept(
    written, site_builder, make_cache, names, mode
):
    """An index file that group or others may write is neither trusted nor written into."""
    os.chmod(written, mode)
    assert read_index_file(written, ident_of(site_builder)) is None
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert names(make_cache(), GROUP) == ["a", "b"]
    assert stat.S_IMODE(os.stat(written).st_mode) == mode


def test_symlinked_file_is_ignored(written, site_builder, tmp_path):
    """An index file that is a symbolic link is not followed."""
    real = tmp_path / "elsewhere.index"
    os.replace(written, real)
    os.symlink(real, written)
    assert read_index_file(written, ident_of(site_builder)) is None


def test_dir_owned_by_other_user_is_not_used(site_builder, cache_dir, make_cache, names):
    """A cache directory owned by another user is neither read nor written."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    os.chown(cache_dir, OTHER_UID, OTHER_UID)
    cache = make_cache()
    assert names(cache, GROUP) == ["a"]
    assert cache.index_file is None
    assert os.listdir(cache_dir) == []


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777], ids=["group", "others", "both"])
def test_dir_writable_by_others_is_not_used(site_builder, cache_dir, make_cache, names, mode):
    """A cache directory that group or others may write is neither read nor written."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    os.chmod(cache_dir, mode)
    cache = make_cache()
    assert names(cache, GROUP) == ["a"]
    assert cache.index_file is None
    assert os.listdir(cache_dir) == []


def test_unusable_cache_dir_still_works(site_builder, tmp_path, python):
    """With a cache directory that cannot be created, plugins are still found, every time."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    python.env["PLUX_CACHE_DIR"] = str(blocker / "plux")
    code = f"""
        import json
        from plux.runtime.cache import EntryPointsCache
        eps = EntryPointsCache.instance().entry_points_of("{GROUP}")
        print(json.dumps(sorted(e.name for e in eps)))
        """
    assert python.json(code) == ["a"]
    assert python.json(code) == ["a"]


def test_unwritable_index_path_still_works(written, site_builder, make_cache, names):
    """When the index cannot be written (its path is taken by a directory), nothing fails."""
    os.unlink(written)
    os.mkdir(written, 0o700)
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert names(make_cache(), GROUP) == ["a", "b"]
    assert os.path.isdir(written)


def test_no_temporary_files_are_left(written, cache_dir, site_builder, make_cache, names):
    """Writing leaves exactly the index file behind, no temporary file."""
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    names(make_cache(), GROUP)
    assert os.listdir(cache_dir) == [os.path.basename(written)]


WRITER = """
import sys
from plux.runtime._index_build import index_environment
from plux.runtime._index_write import write_index_file
from plux.runtime._scan import scan_stamps
file, site = sys.argv[1], sys.argv[2]
for _ in range(40):
    index = index_environment([site], scan_stamps([site]))
    assert write_index_file(file, index)
"""


def test_concurrent_writers_leave_valid_index(site_builder, cache_dir, python):
    """Several processes writing one index file at once leave a complete, valid file."""
    for n in range(30):
        site_builder.add_distribution(f"dist{n}", entry_points={GROUP: {f"p{n}": f"m{n}:P"}})
    path = [str(site_builder.path)]
    file = str(cache_dir / "shared.index")
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(WRITER), file, path[0]],
            env=python.environ(),
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    index = read_index_file(file, identity(path))
    assert index is not None and index.holds()
    assert sorted(e.name for e in index.rows(GROUP)) == sorted(f"p{n}" for n in range(30))
    assert os.listdir(cache_dir) == ["shared.index"]


def test_cache_dir_that_cannot_be_made_is_not_used(site_builder, tmp_path, make_cache, names):
    """A cache folder below a file cannot be made: the cache keeps its index in memory only."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = make_cache(cache_dir=str(blocker / "plux"))
    assert names(cache, GROUP) == ["a"]
    assert cache.index_file is None


def test_index_is_not_written_into_a_missing_folder(written, site_builder, tmp_path):
    """Writing into a folder that does not exist fails quietly (returns False)."""
    index = read_index_file(written, ident_of(site_builder))
    assert index is not None
    assert not write_index_file(str(tmp_path / "missing" / "entry-points.index"), index)


def test_pruning_a_missing_folder_does_nothing(tmp_path):
    """Pruning old index files of a folder that is gone is no error."""
    prune_index_files(str(tmp_path / "missing"), keep="entry-points-0.index")
    assert not (tmp_path / "missing").exists()
