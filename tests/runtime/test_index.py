"""The index is never stale: each change to installed distributions is seen by the next process."""

from __future__ import annotations

import os
import shutil

from ..conftest import METADATA_READS

GROUP = "idx.plugins"

LIST = """
import json
from plux.runtime.cache import EntryPointsCache
eps = EntryPointsCache.instance().entry_points_of("idx.plugins")
print(json.dumps(sorted(e.name for e in eps)))
"""

WARM_WITHOUT_READING = f"""
import json, runpy
runpy.run_path({METADATA_READS!r})["refuse"]("a warm process read distribution metadata")
from plux.runtime.cache import EntryPointsCache
eps = EntryPointsCache.instance().entry_points_of("idx.plugins")
print(json.dumps(sorted(e.name for e in eps)))
"""


def entry_points_file(folder):
    return folder / "entry_points.txt"


def test_warm_process_reads_no_metadata_file(site_builder, python):
    """A process after the first one answers from the index without reading any metadata file."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(LIST) == ["a"]
    assert python.json(WARM_WITHOUT_READING) == ["a"]


def test_line_added_in_same_second_is_seen(site_builder, python, same_second):
    """A plugin line appended to an installed entry_points.txt, mtime restored, is seen."""
    folder = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(LIST) == ["a"]
    file = entry_points_file(folder)
    restore_file, restore_dir = same_second(file), same_second(folder)
    with file.open("a") as fh:
        fh.write("b = one:B\n")
    restore_file()
    restore_dir()
    assert python.json(LIST) == ["a", "b"]


def test_same_size_edit_one_nanosecond_later_is_seen(site_builder, python):
    """An edit that keeps the size and moves the mtime by one nanosecond is seen."""
    folder = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(LIST) == ["a"]
    file = entry_points_file(folder)
    st = file.stat()
    file.write_text(file.read_text().replace("a = one:A", "z = one:A"))
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert file.stat().st_size == st.st_size
    assert python.json(LIST) == ["z"]


def test_distribution_installed_in_same_second_is_seen(site_builder, python, same_second):
    """A distribution installed after the index was written, site mtime restored, is seen."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(LIST) == ["a"]
    restore = same_second(site_builder.path)
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    restore()
    assert python.json(LIST) == ["a", "b"]


def test_distribution_removed_in_same_second_is_seen(site_builder, python, same_second):
    """A distribution uninstalled after the index was written, site mtime restored, is gone."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    two = site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    assert python.json(LIST) == ["a", "b"]
    restore = same_second(site_builder.path)
    shutil.rmtree(two)
    restore()
    assert python.json(LIST) == ["a"]


def test_metadata_folder_named_in_no_encoding_is_warm_and_its_edit_seen(site_builder, python):
    """A metadata folder whose name is not valid UTF-8 (surrogate-escaped) is stamped as any
    other: the next process answers without reading metadata, and an edit of it is seen."""
    folder = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    odd = folder.rename(folder.with_name(os.fsdecode(b"one-1.0\xff.dist-info")))
    site_builder.settle()
    assert python.json(LIST) == ["a"]
    assert python.json(WARM_WITHOUT_READING) == ["a"]
    entry_points_file(odd).write_text(f"[{GROUP}]\nb = one:B\n")
    assert python.json(LIST) == ["b"]


def test_entry_points_file_added_to_installed_distribution_is_seen(
    site_builder, python, same_second
):
    """An entry_points.txt that appears in an existing metadata folder is seen."""
    folder = site_builder.add_distribution("one")
    assert python.json(LIST) == []
    restore = same_second(folder)
    entry_points_file(folder).write_text(f"[{GROUP}]\na = one:A\n")
    restore()
    assert python.json(LIST) == ["a"]


def test_upgrade_replacing_metadata_folder_is_seen(site_builder, python, same_second):
    """Replacing one-1.0.dist-info by one-2.0.dist-info gives the new version's entry points."""
    old = site_builder.add_distribution("one", "1.0", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(LIST) == ["a"]
    restore = same_second(site_builder.path)
    shutil.rmtree(old)
    site_builder.add_distribution("one", "2.0", entry_points={GROUP: {"b": "one:B"}})
    restore()
    assert python.json(LIST) == ["b"]


def test_path_entry_added_at_run_time_is_seen(site_builder, second_site, python):
    """Inserting a site into sys.path in the process makes its entry points visible."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    second_site.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    result = python.json(
        f"""
        import json, sys
        from plux.runtime.cache import EntryPointsCache
        cache = EntryPointsCache.instance()
        before = [e.name for e in cache.entry_points_of("{GROUP}")]
        sys.path.append({str(second_site.path)!r})
        after = [e.name for e in cache.entry_points_of("{GROUP}")]
        print(json.dumps([before, after]))
        """
    )
    assert result == [["a"], ["a", "b"]]


def test_refresh_sees_change_made_in_same_process(site_builder, make_cache, names):
    """refresh() re-checks the environment: an install during the process becomes visible."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    cache = make_cache()
    assert names(cache, GROUP) == ["a"]
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    cache.refresh()
    assert names(cache, GROUP) == ["a", "b"]


def test_refresh_checks_every_distribution(site_builder, make_cache, names):
    """refresh() looks at every distribution's entry points file, also one that had no entry
    point of the namespace asked for (a warm check looks at that namespace's own)."""
    folder = site_builder.add_distribution("one", entry_points={"other.group": {"x": "one:X"}})
    cache = make_cache()
    assert names(cache, GROUP) == []
    with entry_points_file(folder).open("a") as fh:
        fh.write(f"[{GROUP}]\na = one:A\n")
    cache.refresh()
    assert names(cache, GROUP) == ["a"]


def test_only_changed_distribution_is_read_again(site_builder, make_cache, names, reads):
    """A rebuild re-reads only the distributions whose stamps changed."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    two = site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    site_builder.settle()
    assert names(make_cache(), GROUP) == ["a", "b"]
    reads.clear()
    with entry_points_file(two).open("a") as fh:
        fh.write("c = two:C\n")
    assert names(make_cache(), GROUP) == ["a", "b", "c"]
    assert reads == ["two-1.0.dist-info"]


def test_install_and_removal_read_only_what_changed(site_builder, make_cache, names, reads):
    """After one distribution is installed into a folder of others, a rebuild reads only it;
    after one is removed, none."""
    for name in ("one", "two", "three"):
        site_builder.add_distribution(name, entry_points={GROUP: {name: f"{name}:P"}})
    site_builder.settle()
    assert names(make_cache(), GROUP) == ["one", "three", "two"]
    reads.clear()
    site_builder.add_distribution("four", entry_points={"other.group": {"x": "four:X"}})
    assert names(make_cache(), GROUP) == ["one", "three", "two"]
    assert reads == ["four-1.0.dist-info"]
    site_builder.settle()
    assert names(make_cache(), "other.group") == ["x"]
    reads.clear()
    shutil.rmtree(site_builder.path / "two-1.0.dist-info")
    assert names(make_cache(), GROUP) == ["one", "three"]
    assert reads == []


def test_entries_keep_path_order_and_origin(site_builder, second_site, make_cache):
    """Entries come in path order, each naming its distribution, version and metadata folder."""
    first = site_builder.add_distribution("beta", "2.1", entry_points={GROUP: {"b": "beta:B"}})
    second_site.add_distribution("alpha", "1.0", entry_points={GROUP: {"a": "alpha:A"}})
    entries = make_cache(site_builder.path, second_site.path).entry_points_of(GROUP)
    assert [(e.name, e.distribution, e.version) for e in entries] == [
        ("b", "beta", "2.1"),
        ("a", "alpha", "1.0"),
    ]
    assert entries[0].path == str(first)
    assert entries[0].value == "beta:B" and entries[0].group == GROUP


def test_same_name_from_two_distributions_both_listed(site_builder, make_cache):
    """Two distributions registering one name both appear (the first in importlib.metadata's
    order counts: test_importlib_parity.py)."""
    site_builder.add_distribution("one", entry_points={GROUP: {"x": "one:X"}})
    site_builder.add_distribution("two", entry_points={GROUP: {"x": "two:X"}})
    entries = make_cache().entry_points_of(GROUP)
    assert sorted((e.name, e.distribution) for e in entries) == [("x", "one"), ("x", "two")]


def test_shadowed_distribution_never_leaks_entry_points(site_builder, second_site, make_cache):
    """A copy of a distribution further down the path contributes no entry points."""
    site_builder.add_distribution("Foo_Bar", "2.0", entry_points={GROUP: {"new": "foo:New"}})
    second_site.add_distribution("foo.bar", "1.0", entry_points={GROUP: {"old": "foo:Old"}})
    entries = make_cache(site_builder.path, second_site.path).entry_points_of(GROUP)
    assert [(e.name, e.version) for e in entries] == [("new", "2.0")]


def test_removing_shadowing_copy_reveals_the_other(site_builder, second_site, python):
    """Uninstalling the first copy makes the next one on the path count."""
    first = site_builder.add_distribution("foo", "2.0", entry_points={GROUP: {"new": "foo:N"}})
    second_site.add_distribution("foo", "1.0", entry_points={GROUP: {"old": "foo:O"}})
    python.sites.append(second_site.path)
    assert python.json(LIST) == ["new"]
    shutil.rmtree(first)
    assert python.json(LIST) == ["old"]


def test_egg_info_distribution_is_indexed(site_builder, make_cache):
    """An *.egg-info folder (a develop install) counts like a dist-info one."""
    site_builder.add_distribution(
        "legacy", "0.3", entry_points={GROUP: {"l": "legacy:L"}}, kind="egg-info"
    )
    entries = make_cache().entry_points_of(GROUP)
    assert [(e.name, e.distribution, e.version) for e in entries] == [("l", "legacy", "0.3")]


def test_editable_link_of_plux_1_is_followed(site_builder, tmp_path, make_cache, names):
    """A dist-info whose entry_points_editable.txt names a file takes its entry points from it,
    and edits to that file are seen."""
    folder = site_builder.add_distribution("editable", entry_points={GROUP: {"old": "e:Old"}})
    target = tmp_path / "project" / "editable.egg-info" / "entry_points.txt"
    target.parent.mkdir(parents=True)
    target.write_text(f"[{GROUP}]\nlinked = e:Linked\n")
    (folder / "entry_points_editable.txt").write_text(str(target))
    assert names(make_cache(), GROUP) == ["linked"]
    st = target.stat()
    target.write_text(f"[{GROUP}]\nlinked = e:Linked\nmore = e:More\n")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert names(make_cache(), GROUP) == ["linked", "more"]


def test_missing_and_file_path_entries_are_harmless(site_builder, tmp_path, make_cache, names):
    """Path entries that do not exist or are files (zips) are skipped, not errors."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK")
    cache = make_cache(tmp_path / "missing", archive, site_builder.path)
    assert names(cache, GROUP) == ["a"]


def test_malformed_lines_are_reported_and_good_ones_kept(site_builder, make_cache, names):
    """A malformed line is reported with file and line; the other entry points are indexed."""
    folder = site_builder.add_distribution(
        "messy", entry_points=f"[{GROUP}]\ngood = m:Good\nthis is not an entry point\n"
    )
    cache = make_cache()
    assert names(cache, GROUP) == ["good"]
    assert cache.errors() == [
        f"{folder / 'entry_points.txt'}:3: expected 'name = value': 'this is not an entry point'"
    ]


def test_unknown_group_is_empty(site_builder, make_cache, names):
    """A group no distribution registers has no entries."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert names(make_cache(), "no.such.group") == []


def test_indexed_entry_point_behaves_as_named_tuple():
    """IndexedEntryPoint has the fields, _replace, _make, equality and pickling of a NamedTuple."""
    import pickle

    from plux.runtime._index import IndexedEntryPoint

    ep = IndexedEntryPoint("n", "m:A", GROUP, "dist", "1.0", "/site/dist-1.0.dist-info", None)
    assert IndexedEntryPoint._fields == (
        "name",
        "value",
        "group",
        "distribution",
        "version",
        "path",
        "declared_name",
    )
    assert (ep.name, ep.value, ep.declared_name) == ("n", "m:A", None)
    assert ep._replace(declared_name="N").declared_name == "N"
    assert IndexedEntryPoint._make(tuple(ep)) == ep == tuple(ep)
    assert pickle.loads(pickle.dumps(ep)) == ep
    assert repr(ep).startswith("IndexedEntryPoint(name='n', value='m:A'")


def test_indexed_entry_point_takes_keywords_and_defaults_declared_name():
    """IndexedEntryPoint is made by keyword as a NamedTuple is; declared_name defaults to None."""
    from plux.runtime._index import IndexedEntryPoint

    ep = IndexedEntryPoint(
        name="n", value="m:A", group=GROUP, distribution="d", version="1", path="/p"
    )
    assert ep.declared_name is None
    assert ep._asdict()["distribution"] == "d"
