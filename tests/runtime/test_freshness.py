"""Never stale: each way an environment changes is seen by the next process (or the next call).

Each test asks plux and ``importlib.metadata`` the same question in fresh processes. File systems
that keep whole seconds are simulated by setting whole-second mtimes (``os.utime``); their
whole-second change times cannot be (docs/faults.md says what that leaves).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ..conftest import METADATA_READS, PROJECT_ROOT, PythonRunner, SiteBuilder

GROUP = "fresh.plugins"

ASK = f"""
import json
import importlib.metadata as md
from plux.runtime.cache import EntryPointsCache

theirs = sorted(ep.name for ep in md.entry_points(group={GROUP!r}))
ours = sorted(ep.name for ep in EntryPointsCache.instance().entry_points_of({GROUP!r}))
print(json.dumps([ours, theirs]))
"""


def answers(python: PythonRunner) -> list[str]:
    """plux's names of :data:`GROUP` in a fresh process, checked against importlib.metadata's."""
    ours, theirs = python.json(ASK)  # type: ignore[misc]
    assert ours == theirs
    return ours  # type: ignore[no-any-return]


def this_second() -> int:
    """The current time in whole seconds, as nanoseconds."""
    return time.time_ns() // 10**9 * 10**9


def whole_second(*paths: Path, at: int) -> None:
    """Give ``paths`` the mtime ``at`` (whole seconds), as a file system that keeps no finer
    times would."""
    for path in paths:
        os.utime(path, ns=(at, at))


def test_distribution_gaining_a_namespace_in_place_is_seen(site_builder, python):
    """An ``entry_points.txt`` rewritten in place gains the namespace asked for (``pip install
    -I`` or ``installer --overwrite-existing`` of a rebuilt wheel of the same version): a warm
    process whose namespace that distribution was not in sees it."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    two = site_builder.add_distribution("two", entry_points={"other.group": {"x": "two:X"}})
    site_builder.settle()
    assert answers(python) == ["a"]
    assert answers(python) == ["a"]  # warm
    (two / "entry_points.txt").write_text(f"[other.group]\nx = two:X\n\n[{GROUP}]\nb = two:B\n")
    assert answers(python) == ["a", "b"]


def test_rewrite_in_the_same_whole_second_as_the_scan_is_seen(site_builder, python):
    """On a file system that keeps whole seconds, an ``entry_points.txt`` rewritten in the
    second it was indexed in (``uv pip install --reinstall`` right after a run), with its size
    and mtime kept, is seen by the next process: what was read in that second is read again."""
    one = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    file = one / "entry_points.txt"
    now = this_second()
    whole_second(file, one, site_builder.path, at=now)
    assert answers(python) == ["a"]
    file.write_text(file.read_text().replace("a = one:A", "z = one:A"))
    whole_second(file, one, site_builder.path, at=now)
    assert answers(python) == ["z"]


def test_refresh_sees_a_rewrite_in_the_same_whole_second(site_builder, cache_dir):
    """In one process, ``refresh()`` after a rewrite in the same whole second sees it."""
    one = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    file = one / "entry_points.txt"
    now = this_second()
    whole_second(file, one, site_builder.path, at=now)
    code = f"""
        import json, os
        from pathlib import Path
        from plux.runtime.cache import EntryPointsCache
        cache = EntryPointsCache.instance()
        names = lambda: sorted(ep.name for ep in cache.entry_points_of({GROUP!r}))
        before = names()
        file = Path({str(file)!r})
        file.write_text(file.read_text().replace("a = one:A", "z = one:A"))
        for path in (file, file.parent, file.parent.parent):
            os.utime(path, ns=({now}, {now}))
        cache.refresh()
        print(json.dumps([before, names()]))
    """
    runner = PythonRunner([site_builder.path], cache_dir)
    assert runner.json(textwrap.dedent(code)) == [["a"], ["z"]]


def test_distribution_half_written_during_a_run_is_seen_when_complete(site_builder, python):
    """A process that runs while an installer has written only part of a new ``*.dist-info``
    (no ``entry_points.txt`` yet) leaves no index that hides the distribution once it is
    complete, even with whole-second times."""
    folder = site_builder.path / "late-1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: late\nVersion: 1.0\n")
    now = this_second()
    whole_second(folder, site_builder.path, at=now)
    assert answers(python) == []
    (folder / "entry_points.txt").write_text(f"[{GROUP}]\nl = late:L\n")
    whole_second(folder / "entry_points.txt", folder, site_builder.path, at=now)
    assert answers(python) == ["l"]


def test_file_written_beside_the_site_costs_no_rebuild(site_builder, python):
    """A file written in a path folder (a log beside a script) changes its stamp but not its
    distributions: the next process reads no metadata, and the one after it is warm."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    site_builder.settle()
    assert answers(python) == ["a"]
    (site_builder.path / "app.log").write_text("started\n")
    count = f"""
        import json, runpy
        import plux.runtime._distributions as distributions
        reads = runpy.run_path({METADATA_READS!r})["count"]()
        listed = []
        real_children = distributions.metadata_children
        distributions.metadata_children = lambda entry: listed.append(entry) or real_children(entry)
        from plux.runtime.cache import EntryPointsCache
        names = [ep.name for ep in EntryPointsCache.instance().entry_points_of({GROUP!r})]
        print(json.dumps([names, len(reads), listed]))
    """
    site = str(site_builder.path)
    assert python.json(textwrap.dedent(count)) == [["a"], 0, [site]]  # listed once
    assert python.json(textwrap.dedent(count)) == [["a"], 0, []]  # warm


def test_chdir_with_empty_entry_on_the_path_follows_the_new_folder(tmp_path, cache_dir):
    """With ``''`` on ``sys.path`` (``python -c``, the REPL), ``os.chdir`` makes the next call
    read the new working directory's distributions, as importlib.metadata does."""
    first, second = SiteBuilder(tmp_path / "first"), SiteBuilder(tmp_path / "second")
    for site, name in ((first, "a"), (second, "b")):
        site.path.mkdir()
        site.add_distribution(f"dist-{name}", entry_points={GROUP: {name: f"m:{name}"}})
    code = f"""
        import json, os, sys
        import importlib.metadata as md
        from plux.runtime.cache import EntryPointsCache
        assert sys.path[0] == ""
        result = []
        for folder in ({str(first.path)!r}, {str(second.path)!r}, {str(first.path)!r}):
            os.chdir(folder)
            ours = [ep.name for ep in EntryPointsCache.instance().entry_points_of({GROUP!r})]
            theirs = [ep.name for ep in md.entry_points(group={GROUP!r})]
            result.append([ours, theirs])
        print(json.dumps(result))
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON"))}
    env.update(PYTHONPATH=str(PROJECT_ROOT), PLUX_CACHE_DIR=str(cache_dir))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result == [[["a"], ["a"]], [["b"], ["b"]], [["a"], ["a"]]]


def test_path_like_entry_on_the_path_is_read(site_builder, python):
    """A ``pathlib.Path`` on ``sys.path`` is read as its string, as importlib.metadata reads it."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    code = f"""
        import json, sys
        from pathlib import Path
        sys.path[:] = [Path({str(site_builder.path)!r}) if p == {str(site_builder.path)!r} else p
                       for p in sys.path]
        import importlib.metadata as md
        from plux import PluginManager
        from plux.runtime.cache import EntryPointsCache
        theirs = [ep.name for ep in md.entry_points(group={GROUP!r})]
        ours = [ep.name for ep in EntryPointsCache.instance().entry_points_of({GROUP!r})]
        print(json.dumps([ours, theirs, PluginManager({GROUP!r}).list_names()]))
    """
    for _ in ("cold", "warm"):
        assert python.json(textwrap.dedent(code)) == [["a"], ["a"], ["a"]]


def test_bytes_entry_on_the_path_is_ignored(site_builder, python):
    """A bytes entry on ``sys.path`` is ignored, as the import system ignores it (importlib's
    ``entry_points()`` raises TypeError on it): the other entries are read."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    other = SiteBuilder(site_builder.path.parent / "other")
    other.path.mkdir()
    other.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    code = f"""
        import json, sys
        # last: Python 3.10's import system itself fails on a bytes entry before what it finds
        sys.path.append({str(other.path).encode()!r})
        from plux import PluginManager
        print(json.dumps(PluginManager({GROUP!r}).list_names()))
    """
    assert python.json(textwrap.dedent(code)) == ["a"]


def test_install_reads_only_the_new_distribution(site_builder, make_cache, names, reads):
    """After one distribution is installed (with or without entry points), the next process
    reads that distribution only; the process after it reads nothing."""
    for n in range(5):
        site_builder.add_distribution(f"old{n}", entry_points={GROUP: {f"o{n}": "old:O"}})
    site_builder.settle()
    assert len(names(make_cache(), GROUP)) == 5
    reads.clear()
    site_builder.add_distribution("bare")
    site_builder.add_distribution("new", entry_points={GROUP: {"n": "new:N"}})
    site_builder.settle()
    assert len(names(make_cache(), GROUP)) == 6
    assert sorted(reads) == ["bare-1.0.dist-info", "new-1.0.dist-info"]
    reads.clear()
    assert len(names(make_cache(), GROUP)) == 6
    assert reads == []


def test_check_by_whole_paths_holds_and_sees_an_edit(
    site_builder, make_cache, names, reads, monkeypatch
):
    """Where ``os.stat`` takes no folder descriptor (Windows), each watched file is stamped by its
    whole path: an unchanged site is answered without reading, an edit in place is seen."""
    one = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    site_builder.add_distribution("bare")  # no entry points: its folder is watched
    site_builder.settle()
    monkeypatch.setattr(os, "supports_dir_fd", set())
    assert names(make_cache(), GROUP) == ["a"]
    reads.clear()
    assert names(make_cache(), GROUP) == ["a"]
    assert reads == []
    (one / "entry_points.txt").write_text(f"[{GROUP}]\na = one:A\nb = one:B\n")
    assert names(make_cache(), GROUP) == ["a", "b"]
    assert reads == ["one-1.0.dist-info"]


def test_error_in_plux_code_is_not_taken_for_a_damaged_index(site_builder, make_cache, monkeypatch):
    """Only decoding the file counts as damage: an error of plux's own code while answering
    surfaces, rather than turning into a silent rebuild."""
    from plux.runtime import _names

    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})

    def broken(*args: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(_names.DeclaredNameReader, "read", broken)
    with pytest.raises(KeyError, match="a bug"):
        make_cache().entry_points_of(GROUP)
