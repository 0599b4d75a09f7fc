"""The distribution a plugin comes from, found in one place, and plux 1.16's facade left alone
by the live run time."""

from __future__ import annotations

import textwrap
import zipfile

GROUP = "origin.plugins"

PLUGIN = """
from plux import Plugin

class Hello(Plugin):
    namespace = "origin.plugins"
    name = "hello"
"""


def test_plugin_in_a_zip_file_has_its_distribution(tmp_path, python):
    """A plugin whose distribution lies in a zip file on the path gets that distribution, name
    and all, as importlib.metadata gives it."""
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", f"[{GROUP}]\nhello = zipped:Hello\n")
        zf.writestr("zipped.py", PLUGIN)
    python.sites.insert(0, archive)
    code = f"""
        import json
        import importlib.metadata as md
        from plux import PluginManager
        container = PluginManager({GROUP!r}).get_container("hello")
        theirs = [ep.dist.metadata["Name"] for ep in md.entry_points(group={GROUP!r})]
        dist = container.distribution
        print(json.dumps([dist.metadata["Name"], dist.version, theirs]))
    """
    assert python.json(textwrap.dedent(code)) == ["zipped", "1.0", ["zipped"]]


def test_live_runtime_never_imports_the_116_facade(site_builder, python):
    """Listing, loading, a plugin's distribution and every method of the cache leave
    ``plux.runtime.metadata`` (plux 1.16's API at its old path) unimported."""
    site_builder.add_distribution(
        "origin",
        entry_points={GROUP: {"hello": "origin_plugin:Hello"}},
        modules={"origin_plugin.py": PLUGIN},
    )
    code = f"""
        import json, sys
        from plux import PluginManager
        from plux.runtime.cache import EntryPointsCache
        manager = PluginManager({GROUP!r})
        manager.load_all()
        name = manager.get_container("hello").distribution.metadata["Name"]
        cache = EntryPointsCache.instance()
        cache.get_entry_points(), cache.groups(), cache.errors(), cache.refresh()
        print(json.dumps([name, "plux.runtime.metadata" in sys.modules]))
    """
    for _ in ("cold", "warm"):
        assert python.json(textwrap.dedent(code)) == ["origin", False]
