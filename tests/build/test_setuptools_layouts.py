"""Which packages plux scans follows the setuptools in use, for every layout setuptools' docs
("Package Discovery and Namespace Packages") describe: ``plux discover`` finds exactly the
plugins of the packages a real setuptools build installs."""

from __future__ import annotations

from pathlib import Path

import pytest
from integration_support import Venv, write

from .test_setuptools_integration import pyproject

pytestmark = pytest.mark.integration

# One plugin per package folder; the layouts decide which of them a build ships.
PLUGIN = """
from plux import Plugin
class P(Plugin):
    namespace = 'layouts.{name}'
    name = '{where}'
"""

LAYOUTS: dict[str, tuple[str, list[str]]] = {
    # name: (pyproject.toml after [project], package folders and .py modules)
    "src": ("", ["src/demo", "tests"]),
    "src-with-root-package": ("", ["src/demo", "src/demo/sub", "tests", "scripts"]),
    "flat": ("", ["demo", "tests", "docs", "examples"]),
    "explicit-list": ('[tool.setuptools]\npackages = ["demo"]\n', ["demo", "demo/sub", "other"]),
    "find-where": (
        '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
        ["lib/demo", "lib/demo/sub", "demo"],
    ),
    "find-include-exclude": (
        '[tool.setuptools.packages.find]\ninclude = ["demo*"]\nexclude = ["demo.internal"]\n',
        ["demo", "demo/internal", "demo/sub", "other"],
    ),
    "find-no-namespaces": (
        "[tool.setuptools.packages.find]\nnamespaces = false\n",
        ["demo", "nsonly/inner"],
    ),
    "single-module": ("", ["demo.py", "tests"]),
    "py-modules": ('[tool.setuptools]\npy-modules = ["demo"]\n', ["demo.py", "other.py"]),
    "package-dir": ('[tool.setuptools]\npackage-dir = {"" = "code"}\n', ["code/demo", "tests"]),
    "setup-cfg-find": (
        "",
        ["source/demo", "source/demo/sub", "tests"],
    ),
}
SETUP_CFG = {
    "setup-cfg-find": "[options]\npackages = find:\npackage_dir =\n    =source\n"
    "[options.packages.find]\nwhere = source\n",
}


def make(root: Path, layout: str) -> Path:
    name = f"lay-{layout}"
    extra, folders = LAYOUTS[layout]
    files = {"pyproject.toml": pyproject(name) + extra}
    if layout in SETUP_CFG:
        files["setup.cfg"] = SETUP_CFG[layout]
    for folder in folders:
        if folder.endswith(".py"):
            target = folder
        else:
            target = f"{folder}/mod.py" if folder == "nsonly/inner" else f"{folder}/__init__.py"
        where = folder.removesuffix(".py").replace("/", ".")
        files[target] = PLUGIN.format(name=layout.replace("-", "_"), where=where)
    return write(root / name, files)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_discover_scans_what_setuptools_ships(tmp_path: Path, venv: Venv, layout: str) -> None:
    """``plux discover`` and a real build agree on the project's plugins."""
    project = make(tmp_path, layout)
    venv.pip("install", "--no-build-isolation", str(project))
    group = f"layouts.{layout.replace('-', '_')}"
    installed = venv.entry_points(f"lay-{layout}").get(group, {})
    assert installed, "the layout ships no plugin: the test would check nothing"

    discovered = venv.plux("discover", "--json", cwd=project)

    assert discovered.returncode == 0, discovered.stderr
    assert discovered.json()["entry_points"].get(group, {}) == installed
