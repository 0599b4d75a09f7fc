"""EntryPointsCache: where the index lives, how it is switched off, and what it hands out."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from plux.runtime._index_file import default_cache_dir
from plux.runtime.cache import EntryPointsCache

GROUP = "cache.plugins"

FIND = f"""
import json
from plux.runtime.cache import EntryPointsCache
cache = EntryPointsCache.instance()
print(json.dumps([[e.name for e in cache.entry_points_of("{GROUP}")], cache.index_file]))
"""


@pytest.fixture
def installed(site_builder):
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    return site_builder


def test_plux_cache_dir_wins(monkeypatch, tmp_path):
    """$PLUX_CACHE_DIR names the cache directory whatever the platform default."""
    monkeypatch.setenv("PLUX_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == str(tmp_path / "mine")


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="XDG platforms")
def test_xdg_cache_home_is_used(monkeypatch, tmp_path):
    """Without $PLUX_CACHE_DIR the index lives in $XDG_CACHE_HOME/plux."""
    monkeypatch.delenv("PLUX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == str(tmp_path / "xdg" / "plux")


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="XDG platforms")
def test_relative_xdg_cache_home_falls_back_to_home(monkeypatch, tmp_path):
    """A relative $XDG_CACHE_HOME is invalid (XDG spec) and ~/.cache/plux is used instead."""
    monkeypatch.delenv("PLUX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == str(tmp_path / ".cache" / "plux")


def test_index_written_to_home_cache_by_default(installed, python, tmp_path):
    """With no cache variables set, a process writes its index under ~/.cache/plux (0700)."""
    env = python.environ()
    del env["PLUX_CACHE_DIR"]
    env.pop("XDG_CACHE_HOME", None)
    env["HOME"] = str(tmp_path / "home")
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FIND)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names, file = json.loads(out.splitlines()[-1])
    assert names == ["a"]
    assert os.path.dirname(file) == str(tmp_path / "home" / ".cache" / "plux")
    assert stat.S_IMODE(os.stat(os.path.dirname(file)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600


def test_plux_no_cache_writes_nothing(installed, python, cache_dir):
    """PLUX_NO_CACHE=1 switches the index file off; entry points are still found."""
    python.env["PLUX_NO_CACHE"] = "1"
    assert python.json(FIND) == [["a"], None]
    assert os.listdir(cache_dir) == []


def test_instance_is_process_wide(python, installed):
    """instance() returns the same cache every time."""
    code = """
        import json
        from plux.runtime.cache import EntryPointsCache
        print(json.dumps(EntryPointsCache.instance() is EntryPointsCache.instance()))
        """
    assert python.json(code) is True


def test_get_entry_points_gives_importlib_entry_points_with_dist(installed, make_cache):
    """get_entry_points() maps groups to importlib.metadata entry points bound to their dist."""
    from importlib.metadata import EntryPoint

    eps = make_cache().get_entry_points()[GROUP]
    assert eps == [EntryPoint("a", "one:A", GROUP)]
    assert eps[0].dist is not None and eps[0].dist.metadata["Name"] == "one"


def test_get_entry_points_returns_copies(installed, make_cache):
    """Mutating the returned lists does not change what the cache hands out next."""
    cache = make_cache()
    cache.get_entry_points()[GROUP].clear()
    cache.entry_points_of(GROUP).clear()
    assert len(cache.get_entry_points()[GROUP]) == 1
    assert len(cache.entry_points_of(GROUP)) == 1


def test_groups_lists_every_group(site_builder, make_cache):
    """groups() names every entry point group in the environment."""
    site_builder.add_distribution(
        "one", entry_points={"b.group": {"x": "m:X"}, GROUP: {"a": "m:A"}}
    )
    assert make_cache().groups() == ["b.group", GROUP]


def test_disk_can_be_switched_off_per_instance(installed, make_cache, cache_dir):
    """use_disk=False keeps the index in memory only."""
    cache = make_cache(use_disk=False)
    assert [e.name for e in cache.entry_points_of(GROUP)] == ["a"]
    assert cache.index_file is None
    assert os.listdir(cache_dir) == []


def test_instance_is_entry_points_resolver():
    """The cache is an EntryPointsResolver, usable wherever one is expected."""
    from plux.runtime.metadata import EntryPointsResolver

    assert isinstance(EntryPointsCache(use_disk=False, path=[]), EntryPointsResolver)


def test_relative_path_entries_get_a_file_per_working_directory(tmp_path, monkeypatch):
    """With '' on the path, processes in different folders use different index files."""
    from plux.runtime._index import identity
    from plux.runtime._index_file import index_file_name

    ident = identity(["", str(tmp_path)])
    first = index_file_name(ident)
    monkeypatch.chdir(tmp_path)
    assert index_file_name(ident) != first
    absolute = identity([str(tmp_path)])
    assert index_file_name(absolute) == index_file_name(absolute)


def test_index_files_unused_for_a_month_are_pruned(installed, make_cache, cache_dir):
    """Writing a new index file removes index files untouched for 30 days, and only those."""
    old, recent = cache_dir / "entry-points-old.index", cache_dir / "entry-points-recent.index"
    other = cache_dir / "not-an-index"
    for file in (old, recent, other):
        file.write_bytes(b"x")
        file.chmod(0o600)
    month_ago = (40 * 24 * 3600) * 10**9
    os.utime(old, ns=(old.stat().st_atime_ns - month_ago, old.stat().st_mtime_ns - month_ago))
    os.utime(other, ns=(other.stat().st_atime_ns - month_ago, other.stat().st_mtime_ns - month_ago))
    cache = make_cache()
    cache.entry_points_of(GROUP)
    assert sorted(os.listdir(cache_dir)) == sorted(
        [recent.name, other.name, os.path.basename(cache.index_file)]
    )


def test_index_file_in_daily_use_is_not_pruned(site_builder, second_site, make_cache, cache_dir):
    """An index file written more than 30 days ago but used warm since is kept when a process
    with another path writes its own: files are pruned by their last use."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    site_builder.settle()
    first = make_cache()
    first.entry_points_of(GROUP)
    file = Path(first.index_file)
    month_ago = time.time_ns() - 40 * 24 * 3600 * 10**9
    os.utime(file, ns=(month_ago, month_ago))
    make_cache().entry_points_of(GROUP)  # a warm process uses it
    make_cache(second_site).entry_points_of(GROUP)  # another path's first process prunes
    assert file.exists()
