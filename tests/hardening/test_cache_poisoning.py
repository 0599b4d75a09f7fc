"""Cache poisoning: a planted index that would be believed is ignored unless only we can write it.

Each test plants an index that is intact, current and made for this interpreter and path, but
lists an entry point of the attacker's (``evil = os:system``). The control test shows that such a
file is believed when it is trusted; every other test shows that it is neither read nor written
once it is owned by another user, writable by others, reached through a link, or in a folder that
others can write.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from plux.runtime._index import IndexedEntryPoint, identity
from plux.runtime._index_build import index_environment
from plux.runtime._index_file import index_file_name
from plux.runtime._index_write import write_index_file
from plux.runtime._scan import scan_stamps
from plux.runtime.cache import EntryPointsCache

from ..conftest import SiteBuilder
from .conftest import GROUP, CacheFactory, entry_names

OTHER_UID = 54321
EVIL = "evil"


@pytest.fixture
def site(site_builder: SiteBuilder) -> SiteBuilder:
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    return site_builder


def plant(site: SiteBuilder, file: Path) -> Path:
    """Write at ``file`` a current index for ``site`` whose only entry point is the attacker's."""
    path = [str(site.path)]
    site.settle()
    index = index_environment(path, scan_stamps(path))
    dist = str(site.distributions[0])
    index.set_rows(GROUP, [IndexedEntryPoint(EVIL, "os:system", GROUP, "one", "1.0", dist, None)])
    index.completed[GROUP] = ()
    file.parent.mkdir(parents=True, exist_ok=True)
    assert write_index_file(str(file), index)
    return file


def index_path(site: SiteBuilder, folder: Path) -> Path:
    return folder / index_file_name(identity([str(site.path)]))


def fingerprint(file: Path) -> tuple[int, int, int, int, bytes]:
    """Inode, owner, mode and content: a rewrite (even by rename) changes one of them."""
    st = os.lstat(file)
    return st.st_ino, st.st_uid, st.st_mode, st.st_mtime_ns, file.read_bytes()


def test_control_planted_index_is_believed_when_trusted(
    site: SiteBuilder, make_cache: CacheFactory, cache_dir: Path
) -> None:
    """Control: the planted file, owned by us with mode 0600, is read as is (so the tests below
    show the trust checks at work, not some other rejection)."""
    plant(site, index_path(site, cache_dir))
    assert entry_names(make_cache()) == [EVIL]


@pytest.mark.parametrize(
    ("owner", "mode"),
    [(OTHER_UID, 0o600), (None, 0o620), (None, 0o602), (None, 0o666), (OTHER_UID, 0o644)],
    ids=["other-owner", "group-writable", "world-writable", "both-writable", "other-owner-0644"],
)
def test_untrusted_planted_file_is_neither_read_nor_written(
    site: SiteBuilder,
    make_cache: CacheFactory,
    cache_dir: Path,
    owner: int | None,
    mode: int,
) -> None:
    """A planted index owned by someone else or writable by others is ignored and left as is,
    even when the environment changes and the index would be rewritten."""
    file = plant(site, index_path(site, cache_dir))
    os.chmod(file, mode)
    if owner is not None:
        os.chown(file, owner, owner)
    before = fingerprint(file)
    assert entry_names(make_cache()) == ["a"]
    site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert entry_names(make_cache()) == ["a", "b"]
    assert fingerprint(file) == before
    assert sorted(os.listdir(cache_dir)) == [file.name]


def test_symlink_to_planted_index_is_neither_followed_nor_replaced(
    site: SiteBuilder, make_cache: CacheFactory, cache_dir: Path, tmp_path: Path
) -> None:
    """A symbolic link in place of the index, to a planted file we own, is not read; neither
    the link nor its target is written."""
    target = plant(site, tmp_path / "elsewhere" / "planted.index")
    link = index_path(site, cache_dir)
    os.symlink(target, link)
    before = fingerprint(link), fingerprint(target), os.readlink(link)
    assert entry_names(make_cache()) == ["a"]
    site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert entry_names(make_cache()) == ["a", "b"]
    assert (fingerprint(link), fingerprint(target), os.readlink(link)) == before


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o1777], ids=["group", "others", "sticky-tmp"])
def test_planted_index_in_folder_others_can_write_is_ignored(
    site: SiteBuilder, make_cache: CacheFactory, cache_dir: Path, mode: int
) -> None:
    """In a cache folder that others may write (even a sticky one like /tmp), a planted index
    of ours is not read, and nothing is added to the folder."""
    file = plant(site, index_path(site, cache_dir))
    os.chmod(cache_dir, mode)
    before = fingerprint(file)
    cache = make_cache()
    assert entry_names(cache) == ["a"]
    assert cache.index_file is None
    assert os.listdir(cache_dir) == [file.name] and fingerprint(file) == before


def test_cache_folder_symlinked_to_another_users_folder_is_not_used(
    site: SiteBuilder, make_cache: CacheFactory, tmp_path: Path
) -> None:
    """A cache path that is a link to a folder owned by another user is neither read nor
    written, even with mode 0700 and a planted index inside."""
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    file = plant(site, index_path(site, theirs))
    os.chown(file, OTHER_UID, OTHER_UID)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    link = tmp_path / "my-cache"
    os.symlink(theirs, link)
    before = fingerprint(file)
    cache = make_cache(cache_dir=str(link))
    assert entry_names(cache) == ["a"]
    assert cache.index_file is None
    assert os.listdir(theirs) == [file.name] and fingerprint(file) == before


def test_folder_made_by_another_user_at_our_cache_path_is_not_used(
    site: SiteBuilder, tmp_path: Path
) -> None:
    """If someone else created our cache folder first (a shared /tmp), it is not adopted."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    squatted = shared / "plux"
    squatted.mkdir(mode=0o700)
    os.chown(squatted, OTHER_UID, OTHER_UID)
    cache = EntryPointsCache(cache_dir=str(squatted), path=[str(site.path)])
    assert entry_names(cache) == ["a"]
    assert cache.index_file is None
    assert os.listdir(squatted) == []


def test_new_cache_folder_and_file_are_private(site: SiteBuilder, tmp_path: Path) -> None:
    """Even under a permissive umask (000) the folder is created 0700 and the file 0600."""
    old = os.umask(0)
    try:
        cache = EntryPointsCache(cache_dir=str(tmp_path / "new" / "plux"), path=[str(site.path)])
        assert entry_names(cache) == ["a"]
    finally:
        os.umask(old)
    assert cache.index_file is not None
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "plux").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cache.index_file).st_mode) == 0o600
