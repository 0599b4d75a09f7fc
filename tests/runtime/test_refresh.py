"""plux.refresh(): the public way to make the next manager see what is installed now."""

from __future__ import annotations

GROUP = "refresh.ext"

INSTALL_REFRESH_REMOVE = f"""
import json, pathlib, shutil
import plux
from plux import PluginManager
from plux.runtime.metadata import packages_distributions

site = pathlib.Path({{site!r}})
seen = [PluginManager("{GROUP}").list_names(), packages_distributions().get("newext")]
folder = site / "newext-1.0.dist-info"
folder.mkdir()
(folder / "METADATA").write_text("Metadata-Version: 2.1\\nName: newext\\nVersion: 1.0\\n")
(folder / "top_level.txt").write_text("newext\\n")
(folder / "entry_points.txt").write_text("[{GROUP}]\\nnew = newext:New\\n")
(site / "newext.py").write_text(
    "from plux import Plugin\\n"
    "class New(Plugin):\\n"
    "    namespace = '{GROUP}'\\n"
    "    name = 'new'\\n"
)
plux.refresh()
manager = PluginManager("{GROUP}")
seen += [sorted(manager.list_names()), type(manager.load("new")).__name__]
seen.append(packages_distributions().get("newext"))
shutil.rmtree(folder)
plux.refresh()
seen += [PluginManager("{GROUP}").list_names(), packages_distributions().get("newext")]
print(json.dumps(seen))
"""


def test_refresh_shows_a_distribution_installed_and_removed_in_process(site_builder, python):
    """After refresh(), a new manager lists and loads a distribution installed in the same
    process (its module included), and the distribution caches know it; after its removal and
    another refresh(), it is gone."""
    site_builder.add_distribution("base", entry_points={GROUP: {"core": "core:C"}})
    result = python.json(INSTALL_REFRESH_REMOVE.format(site=str(site_builder.path)))
    assert result == [["core"], None, ["core", "new"], "New", ["newext"], ["core"], None]


def test_refresh_in_a_process_that_listed_nothing(python) -> None:
    """refresh() before anything was cached is harmless, and imports no distribution cache."""
    result = python.json(
        """
        import json, sys
        import plux
        plux.refresh()
        print(json.dumps("plux.runtime.metadata" in sys.modules))
        """
    )
    assert result is False
