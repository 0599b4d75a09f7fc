"""The library finders as plux 1.16 users call them, and builds that stay strict."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plux.build.discovery import (
    DiscoveryError,
    ModuleScanningPluginFinder,
    PluginFromPackageFinder,
    SimplePackageFinder,
)
from plux.build.setuptools import PackagePathPluginFinder, find_plugins
from plux.core.plugin import PluginSpec

from .conftest import ProjectFactory

GOOD = """
    from plux import Plugin

    class Good(Plugin):
        namespace = "compat.finders"
        name = "good"
"""

BROKEN = """
    from plux import Plugin, PluginSpec

    class Broken(Plugin):
        namespace = "compat.finders"
        name = "broken"

    spec = PluginSpec(*["compat.finders", "needs-import", Broken])  # read only by import
    raise RuntimeError("this module cannot be imported")
"""


@pytest.fixture
def unloaded() -> Iterator[None]:
    """Forget the modules a test imported from its throwaway project."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def names(specs: list[PluginSpec]) -> list[tuple[str, str]]:
    return sorted((spec.namespace, spec.name) for spec in specs)


class TestSimplePackageFinder:
    def test_a_package_folder_yields_itself_and_its_subpackages(
        self, make_project: ProjectFactory
    ) -> None:
        """``SimplePackageFinder("root/src/mypkg")`` names ``mypkg`` and the packages below it."""
        root = make_project(
            {
                "src/mypkg/__init__.py": "",
                "src/mypkg/sub/__init__.py": "",
                "src/mypkg/sub/deep/__init__.py": "",
                "src/sibling/__init__.py": "",
            }
        )
        finder = SimplePackageFinder(str(root / "src" / "mypkg"))
        assert finder.find_packages() == ["mypkg", "mypkg.sub", "mypkg.sub.deep"]
        assert Path(finder.path) == root / "src"
        assert [m.name for m in finder.find_modules()] == [
            "mypkg",
            "mypkg.sub",
            "mypkg.sub.deep",
        ]

    def test_the_current_package_folder_works_as_dot(
        self, make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Run inside a package, ``"."`` is that package."""
        root = make_project({"mypkg/__init__.py": "", "mypkg/sub/__init__.py": ""})
        monkeypatch.chdir(root / "mypkg")
        assert SimplePackageFinder(".").find_packages() == ["mypkg", "mypkg.sub"]


class TestLibraryFindersSkipModulesThatFailToImport:
    def test_package_path_plugin_finder_logs_and_skips(
        self, make_project: ProjectFactory, caplog: pytest.LogCaptureFixture, unloaded: None
    ) -> None:
        """``PackagePathPluginFinder`` finds the other plugins and logs the failing module."""
        root = make_project({"app/__init__.py": "", "app/good.py": GOOD, "app/bad.py": BROKEN})
        with caplog.at_level(logging.ERROR):
            specs = PackagePathPluginFinder(where=str(root)).find_plugins()
        assert names(specs) == [("compat.finders", "good")]
        assert "app.bad" in caplog.text and "cannot be imported" in caplog.text

    def test_module_scanning_finder_by_name_logs_and_skips(
        self,
        make_project: ProjectFactory,
        caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch,
        unloaded: None,
    ) -> None:
        """Module names that fail to import are logged and skipped."""
        root = make_project({"solo_good.py": GOOD, "solo_bad.py": BROKEN})
        monkeypatch.syspath_prepend(str(root))
        with caplog.at_level(logging.ERROR):
            specs = ModuleScanningPluginFinder(["solo_good", "solo_bad"]).find_plugins()
        assert names(specs) == [("compat.finders", "good")]
        assert "solo_bad" in caplog.text

    def test_strict_finders_raise_naming_the_module(
        self, make_project: ProjectFactory, unloaded: None
    ) -> None:
        """With ``strict=True`` (what builds use) the failing module is an error."""
        root = make_project({"app/__init__.py": "", "app/good.py": GOOD, "app/bad.py": BROKEN})
        finder = PluginFromPackageFinder(SimplePackageFinder(str(root)), strict=True)
        with pytest.raises(DiscoveryError, match=r"app\.bad"):
            finder.find_plugins()


def test_find_plugins_stays_strict(make_project: ProjectFactory, unloaded: None) -> None:
    """``find_plugins`` (a ``setup.py`` build) never drops a plugin: it fails naming the module."""
    root = make_project({"app/__init__.py": "", "app/good.py": GOOD, "app/bad.py": BROKEN})
    with pytest.raises(DiscoveryError, match=r"app\.bad"):
        find_plugins(where=str(root))


def test_find_plugins_includes_namespace_packages(make_project: ProjectFactory) -> None:
    """Folders without ``__init__.py`` are namespace packages, as setuptools' finder sees them."""
    root = make_project({"ns/app/plugins.py": GOOD, "ns/other/__init__.py": ""})
    assert find_plugins(where=str(root), include=("ns", "ns.*")) == {
        "compat.finders": ["good = ns.app.plugins:Good"]
    }
    assert names(PackagePathPluginFinder(where=str(root)).find_plugins()) == [
        ("compat.finders", "good")
    ]
    assert PackagePathPluginFinder(where=str(root), namespace=False).find_plugins() == []


def test_plugin_from_package_finder_keeps_its_finder_as_finder(
    make_project: ProjectFactory,
) -> None:
    """The package finder given is kept as ``.finder``, as in plux 1.16 (subclasses read it)."""
    root = make_project({"app/__init__.py": "", "app/sub/__init__.py": ""})
    packages = SimplePackageFinder(str(root))
    assert PluginFromPackageFinder(packages).finder is packages
    assert PluginFromPackageFinder(finder=packages).finder is packages
    assert PackagePathPluginFinder(where=str(root)).finder.find_packages() == ["app", "app.sub"]
