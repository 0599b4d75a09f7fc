"""The distribution a plugin comes from, found in one place, and plux 1.16's facade left alone."""

from __future__ import annotations

import ast
import textwrap
import zipfile
from pathlib import Path

import plux

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


def test_no_plux_module_imports_the_116_facade():
    """No module of plux imports ``plux.runtime.metadata``, at any time (it only re-exports)."""
    root = Path(plux.__file__).parent
    importers = []
    for file in root.rglob("*.py"):
        if file == root / "runtime" / "metadata.py":
            continue
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.ImportFrom) and node.module == "plux.runtime.metadata":
                importers.append(str(file.relative_to(root)))
            elif isinstance(node, ast.ImportFrom) and node.module == "plux.runtime":
                if any(alias.name == "metadata" for alias in node.names):
                    importers.append(str(file.relative_to(root)))
            elif isinstance(node, ast.Import):
                if any(alias.name == "plux.runtime.metadata" for alias in node.names):
                    importers.append(str(file.relative_to(root)))
    assert importers == []
