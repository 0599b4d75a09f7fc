"""Two ways an index could go stale, each seen by the next process."""

from __future__ import annotations

import os

GROUP = "stale.plugins"

NAMES = f"""
import json
from plux import PluginManager
print(json.dumps(PluginManager("{GROUP}").list_names()))
"""


def keep_times(path):
    """Remembers ``path``'s times; calling the result puts them back."""
    st = path.stat()
    return lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_declared_name_given_in_place_is_seen(site_builder, python):
    """A plugin that declared its entry point's own name and now declares another case of it
    (same size, mtime restored) is listed by the new name by a warm process, as without cache."""
    site_builder.add_distribution(
        "greek",
        entry_points={GROUP: {"gamma": "greek:Gamma"}},
        modules={"greek.py": 'class Gamma:\n    name = "gamma"\n'},
    )
    assert python.json(NAMES) == ["gamma"]
    source = site_builder.path / "greek.py"
    restore = keep_times(source)
    source.write_text('class Gamma:\n    name = "Gamma"\n')
    restore()
    assert python.json(NAMES) == ["Gamma"]
    python.env["PLUX_NO_CACHE"] = "1"
    assert python.json(NAMES) == ["Gamma"]


def test_edit_keeping_size_and_mtime_is_seen(site_builder, python):
    """An entry_points.txt rewritten in place with the same size and mtime (rsync -a, tar,
    SOURCE_DATE_EPOCH-clamped trees) is seen: its ctime moved."""
    folder = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(NAMES) == ["a"]
    file = folder / "entry_points.txt"
    size = file.stat().st_size
    restore_file, restore_folder = keep_times(file), keep_times(folder)
    file.write_text(file.read_text().replace("a = one:A", "z = one:A"))
    restore_file()
    restore_folder()
    assert file.stat().st_size == size
    assert python.json(NAMES) == ["z"]


def test_file_replaced_by_one_of_same_size_and_mtime_is_seen(site_builder, tmp_path, python):
    """An entry_points.txt replaced by another file (a new inode) with the same size and times
    is seen."""
    folder = site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    assert python.json(NAMES) == ["a"]
    file = folder / "entry_points.txt"
    st = file.stat()
    replacement = tmp_path / "entry_points.txt"
    replacement.write_text(file.read_text().replace("a = one:A", "y = one:A"))
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    restore_folder = keep_times(folder)
    os.replace(replacement, file)
    restore_folder()
    assert python.json(NAMES) == ["y"]
