"""LocalStack's way of making plux see an extension it installed or removed in the same process."""

from __future__ import annotations

GROUP = "localstack.extensions"

INSTALL_AND_REMOVE = f"""
import json, pathlib, shutil, sys
from plux import PluginManager
from plux.runtime.cache import EntryPointsCache
from plux.runtime.metadata import packages_distributions

site = pathlib.Path({{site!r}})

def clear():
    packages_distributions.cache_clear()
    EntryPointsCache.instance()._cache.clear()

seen = [PluginManager("{GROUP}").list_names()]
folder = site / "myext-1.0.dist-info"
folder.mkdir()
(folder / "METADATA").write_text("Metadata-Version: 2.1\\nName: myext\\nVersion: 1.0\\n")
(folder / "top_level.txt").write_text("myext\\n")
(folder / "entry_points.txt").write_text("[{GROUP}]\\nmyext = myext.plugin:MyExtension\\n")
(site / "myext").mkdir()
(site / "myext" / "__init__.py").write_text("")
(site / "myext" / "plugin.py").write_text(
    "from plux import Plugin\\n"
    "class MyExtension(Plugin):\\n"
    "    namespace = '{GROUP}'\\n"
    "    name = 'myext'\\n"
)
clear()
manager = PluginManager("{GROUP}")
seen.append(sorted(manager.list_names()))
seen.append(type(manager.load("myext")).__name__)
seen.append(packages_distributions().get("myext"))
shutil.rmtree(folder)
clear()
seen.append(PluginManager("{GROUP}").list_names())
seen.append(packages_distributions().get("myext"))
print(json.dumps(seen))
"""


def test_installed_then_removed_extension_is_seen_after_clearing(site_builder, python):
    """After installing an extension, LocalStack's two cache-clearing calls make the next
    PluginManager in the same process list and load it; after removing it, forget it."""
    site_builder.add_distribution("localstack-core", entry_points={GROUP: {"core": "core:C"}})
    result = python.json(INSTALL_AND_REMOVE.format(site=str(site_builder.path)))
    assert result == [
        ["core"],
        ["core", "myext"],
        "MyExtension",
        ["myext"],
        ["core"],
        None,
    ]


def test_packages_distributions_maps_package_to_distribution(site_builder, python):
    """packages_distributions maps a top-level package to its distribution's name, as plux
    1.16's did."""
    folder = site_builder.add_distribution("twice", modules={"twice/__init__.py": ""})
    (folder / "top_level.txt").write_text("twice\n")
    result = python.json(
        """
        import json
        from plux.runtime.metadata import packages_distributions
        print(json.dumps(packages_distributions().get("twice")))
        """
    )
    assert result == ["twice"]
