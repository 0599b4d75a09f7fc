"""The prebuilt index's rules, in process: which paths it serves, how it says why it is not in
use, and how its stamps compare in a copy of the environment (the processes and the command line
are in test_prebuilt.py and tests/cli/test_index_command.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from prebuilt_support import reencode_header  # loaded by conftest.py

from plux.runtime._index import identity
from plux.runtime._index_file import Header
from plux.runtime._prebuilt import (
    PrebuiltIndexError,
    build_prebuilt_index,
    prebuilt_index_file,
    prebuilt_status,
    read_prebuilt,
)
from plux.runtime._stamps import same_since

GROUP = "rules.plugins"
SECOND = 1_000_000_000


@pytest.fixture
def prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This interpreter's environment, moved to a folder of the test's own."""
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    monkeypatch.setattr(sys, "prefix", str(prefix))
    return prefix


@pytest.fixture
def site(site_builder, prefix):
    """One distribution, installed a while ago: a build right after an install waits for it to
    settle (the tests that install more before building still do)."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    site_builder.settle()
    return site_builder


def names(path: list[str]) -> list[str]:
    index = read_prebuilt(path, identity(path))
    assert index is not None, prebuilt_status(path)
    return [row.name for row in index.rows(GROUP)]


def test_build_reports_what_it_wrote(site, prefix):
    """The build writes into the prefix and says how much it indexed."""
    built = build_prebuilt_index([str(site.path)])
    assert (
        built.file
        == prebuilt_index_file()
        == str(prefix / "share" / "plux" / f"entry-points.{sys.implementation.cache_tag}.index")
    )
    assert (built.distributions, built.entry_points, built.path) == (1, 1, (str(site.path),))


def test_status_says_when_there_is_none(prefix):
    """Without a build, the status names the file looked for and the command that makes it."""
    status = prebuilt_status([])
    assert status == f"no prebuilt index at {prebuilt_index_file()} (`plux index build` makes one)"


def test_it_serves_a_path_with_folders_that_hold_no_distributions(site, tmp_path):
    """A script's own folder (or any other without distributions) anywhere on the path does not
    keep a process from the prebuilt index."""
    build_prebuilt_index([str(site.path)])
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "main.py").write_text("")
    path = [str(scripts), str(site.path), str(tmp_path / "missing")]
    assert prebuilt_status(path) is None
    assert names(path) == ["a"]


def test_it_does_not_serve_a_path_with_other_distributions(site, second_site):
    """A folder of distributions it was not built with makes the path another environment."""
    build_prebuilt_index([str(site.path)])
    second_site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    path = [str(second_site.path), str(site.path)]
    assert read_prebuilt(path, identity(path)) is None
    assert "was built for another interpreter or path" in (prebuilt_status(path) or "")


def test_it_does_not_serve_the_same_sites_in_another_order(site, second_site):
    """The order of the sites decides which copy of a distribution counts."""
    second_site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    build_prebuilt_index([str(site.path), str(second_site.path)])
    path = [str(second_site.path), str(site.path)]
    assert read_prebuilt(path, identity(path)) is None


def test_status_names_what_changed(site):
    """An install after the build: the status names the site folder that changed."""
    build_prebuilt_index([str(site.path)])
    site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    status = prebuilt_status([str(site.path)])
    assert status is not None and status.startswith("changed since")
    assert str(site.path) in status


def test_status_names_an_edited_entry_points_file(site):
    """An edit of a namespace's own distribution is named by the file."""
    build_prebuilt_index([str(site.path)])
    file = site.distributions[0] / "entry_points.txt"
    file.write_text(file.read_text() + "b = one:B\n")
    assert f"{file} (run `plux index build` again)" in (prebuilt_status([str(site.path)]) or "")


@pytest.mark.parametrize("where", ["file", "folder"])
def test_status_says_it_is_writable_by_others(site, where):
    """Group- or world-writable, it is not trusted, and the status says which one is."""
    file = Path(build_prebuilt_index([str(site.path)]).file)
    target = file if where == "file" else file.parent
    target.chmod(target.stat().st_mode | 0o020)
    assert prebuilt_status([str(site.path)]) == f"{target} is writable by group or others"
    assert read_prebuilt([str(site.path)], identity([str(site.path)])) is None


def test_status_says_it_is_damaged(site):
    """A truncated file is not used, and the status says to build it again."""
    file = Path(build_prebuilt_index([str(site.path)]).file)
    file.write_bytes(file.read_bytes()[:-1])
    status = prebuilt_status([str(site.path)])
    assert status == f"{file} is damaged or of another plux version: run `plux index build`"


def test_build_that_cannot_write_names_the_file_and_what_to_do(site, prefix):
    """A build that cannot write says where, why, and as whom to run it."""
    (prefix / "share").mkdir()
    (prefix / "share" / "plux").write_text("not a folder")
    with pytest.raises(PrebuiltIndexError) as raised:
        build_prebuilt_index([str(site.path)])
    message = str(raised.value)
    assert message.startswith(f"cannot write the prebuilt index {prebuilt_index_file()}: ")
    assert message.endswith(f"run `plux index build` as the owner of {prefix} (or root)")


def test_build_reads_every_namespace_it_writes(site):
    """The build completes every namespace (names from metadata, declared names from source), so
    that no process needs to."""
    build_prebuilt_index([str(site.path)])
    index = read_prebuilt([str(site.path)], identity([str(site.path)]))
    assert index is not None and set(index.completed) == set(index.groups)


# --- stamps in a copy of the environment ----------------------------------------------------------

RECORDED = (5 * SECOND + 123, 6 * SECOND, 10, 42)
BUILT = 7 * SECOND


@pytest.mark.parametrize(
    ("current", "same"),
    [
        (RECORDED, True),
        ((5 * SECOND, 7 * SECOND, 10, 99), True),  # unpacked: whole-second mtime, new inode/ctime
        ((5 * SECOND, BUILT + 1, 10, 99), False),  # changed after the index was written
        ((6 * SECOND, 6 * SECOND, 10, 42), False),  # another mtime
        ((-1, -1, -1, -1), False),  # gone
    ],
    ids=["exact", "unpacked", "changed-after", "other-mtime", "missing"],
)
def test_stamps_compare_as_an_image_keeps_them(current, same):
    """An image keeps mtimes in whole seconds and gives new inodes and ctimes; a later change has
    a later ctime than the index itself."""
    assert same_since(RECORDED, current, BUILT) is same


def test_the_environment_owner_may_own_it(site, prefix):
    """Owned by the owner of the prefix (here, whoever runs the tests), it is trusted."""
    build_prebuilt_index([str(site.path)])
    assert os.stat(prebuilt_index_file()).st_uid == os.stat(prefix).st_uid
    assert prebuilt_status([str(site.path)]) is None


def test_only_a_copy_of_the_environment_compares_stamps_as_a_copy_keeps_them(site):
    """The file ``plux index build`` wrote compares exact stamps (a change right after the build
    is seen); a file made well after its index was written (an image unpacked an hour after it
    was built) compares what a copy keeps."""
    file = Path(build_prebuilt_index([str(site.path)]).file)
    path = [str(site.path)]
    original = read_prebuilt(path, identity(path))
    assert original is not None and original.built_ctime_ns is None
    copy_of_the_environment(file)
    unpacked = read_prebuilt(path, identity(path))
    assert unpacked is not None and unpacked.built_ctime_ns == file.stat().st_ctime_ns


def copy_of_the_environment(file: Path) -> None:
    """Make the prebuilt index look like a copy unpacked an hour after it was built."""

    def an_hour_earlier(header: Header) -> Header:
        return header._replace(written_ns=header.written_ns - 3600 * SECOND)

    copy = file.with_name("copy")
    copy.write_bytes(reencode_header(file.read_bytes(), an_hour_earlier))
    copy.chmod(0o644)
    os.replace(copy, file)


def set_times_again(folder: Path) -> None:
    """What unpacking an image does to a folder after its files: the same mtime, set anew, so
    that its change time is later than the index file's (set again until the file system's
    clock, which ticks every few milliseconds, has moved past it)."""
    st = folder.stat()
    index_changed = Path(prebuilt_index_file()).stat().st_ctime_ns
    while folder.stat().st_ctime_ns <= index_changed:
        os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_copy_trusts_a_site_folder_whose_times_were_set_last(site):
    """Unpacking sets folders' times after their files: a site folder whose change time is
    later than the index's still serves, while it lists the same distributions."""
    file = Path(build_prebuilt_index([str(site.path)]).file)
    copy_of_the_environment(file)
    set_times_again(site.path)
    assert prebuilt_status([str(site.path)]) is None
    assert names([str(site.path)]) == ["a"]


def test_a_copy_sees_a_distribution_added_with_the_same_folder_time(site):
    """A distribution added to the copy (the site folder's mtime put back, as a layer with
    clamped timestamps would) no longer lists the same: the index is bypassed."""
    file = Path(build_prebuilt_index([str(site.path)]).file)
    copy_of_the_environment(file)
    st = site.path.stat()
    site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    os.utime(site.path, ns=(st.st_atime_ns, st.st_mtime_ns))
    set_times_again(site.path)
    assert str(site.path) in (prebuilt_status([str(site.path)]) or "")


def test_a_copy_sees_entry_points_added_to_a_folder_without_them(site):
    """A metadata folder without entry points whose times were set anew still serves; one that
    gained an entry_points.txt does not."""
    bare = site.add_distribution("bare")
    file = Path(build_prebuilt_index([str(site.path)]).file)
    copy_of_the_environment(file)
    set_times_again(bare)
    assert prebuilt_status([str(site.path)]) is None
    (bare / "entry_points.txt").write_text(f"[{GROUP}]\nc = bare:C\n")
    set_times_again(bare)
    assert str(bare) in (prebuilt_status([str(site.path)]) or "")
