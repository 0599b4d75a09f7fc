"""The import paths users rely on keep working, and importing plux costs next to nothing."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

TOP_LEVEL = [
    "Plugin",
    "PluginSpec",
    "PluginFactory",
    "PluginType",
    "PluginFinder",
    "PluginSpecResolver",
    "PluginLifecycleListener",
    "CompositePluginLifecycleListener",
    "FunctionPlugin",
    "plugin",
    "PluginException",
    "PluginDisabled",
    "PluginManager",
    "PluginContainer",
    "__version__",
]

MODULE_NAMES = {
    "plux.core.plugin": ["Plugin", "PluginSpec", "plugin", "PluginSpecResolver"],
    "plux.core.entrypoint": [
        "EntryPoint",
        "EntryPointDict",
        "spec_to_entry_point",
        "to_entry_point_dict",
        "discover_entry_points",
    ],
    "plux.runtime.manager": ["PluginManager", "PluginContainer"],
    "plux.runtime.filter": ["MatchingPluginFilter", "global_plugin_filter"],
    "plux.runtime.resolve": ["MetadataPluginFinder"],
    "plux.version": ["__version__"],
}


@pytest.mark.parametrize("package", ["plux", "plugin"])
@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_is_importable(package: str, name: str) -> None:
    """Each name of the import surface comes from plux and from the legacy plugin package."""
    module = importlib.import_module(package)
    assert getattr(module, name) is getattr(importlib.import_module("plux"), name)


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in MODULE_NAMES.items() for n in names]
)
def test_module_name_is_importable(module: str, name: str) -> None:
    """The documented module paths hold their names."""
    assert hasattr(importlib.import_module(module), name)


@pytest.mark.parametrize("package", ["plux", "plugin"])
def test_package_names_itself_as_plux_1_16_did(package: str) -> None:
    """``plux.name`` and ``plugin.name`` are the package names, as in plux 1.16."""
    assert importlib.import_module(package).name == package


def test_version_module_holds_the_version() -> None:
    """``plux.version.__version__`` (where plux 1.16 kept it) is ``plux.__version__``."""
    assert (
        importlib.import_module("plux.version").__version__
        == importlib.import_module("plux").__version__
    )


def test_unknown_top_level_name_raises_attribute_error() -> None:
    """A name plux does not have is an AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        importlib.import_module("plux").Nope  # noqa: B018


HEAVY = ["importlib.metadata", "inspect", "email", "setuptools", "typing", "logging", "json"]


@pytest.mark.parametrize(
    "statement",
    ["import plux", "from plux import Plugin, PluginSpec, plugin, PluginManager"],
)
def test_importing_plux_imports_nothing_heavy(statement: str) -> None:
    """Neither import plux nor importing its main names pulls in heavy modules."""
    code = (
        "import sys\n"
        f"before = set(sys.modules)\n{statement}\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules and m not in before))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(importlib.import_module("plux").__path__[0] + "/..")},
    ).stdout
    assert out.strip() == "[]"
