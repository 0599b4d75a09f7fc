"""Package and module finding on unusual trees: symbolic links, folders that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from plux.build._packages import ListPackageFinder
from plux.build.discovery import DiscoveryError, SimplePackageFinder

from .conftest import ProjectFactory


def test_symlinked_package_outside_the_tree_is_found_once(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    """A link to a package folder that lives elsewhere is a package of the project."""
    root = make_project({"app/__init__.py": ""})
    (tmp_path / "elsewhere" / "shared").mkdir(parents=True)
    (tmp_path / "elsewhere" / "shared" / "__init__.py").write_text("")
    os.symlink(tmp_path / "elsewhere" / "shared", root / "app" / "shared")
    assert SimplePackageFinder(str(root)).find_packages() == ["app", "app.shared"]


def test_link_to_a_package_of_the_tree_keeps_the_real_name(make_project: ProjectFactory) -> None:
    """A link that sorts first but points at another package does not take that package's name."""
    root = make_project({"zpkg/__init__.py": "", "zpkg/sub/__init__.py": ""})
    os.symlink(root / "zpkg", root / "alias")
    assert SimplePackageFinder(str(root)).find_packages() == ["zpkg", "zpkg.sub"]


def test_link_to_an_ancestor_is_not_followed(make_project: ProjectFactory) -> None:
    """A link from a sub-package up to its parent package ends, finding each package once."""
    root = make_project({"pkg/__init__.py": "", "pkg/sub/__init__.py": ""})
    os.symlink("..", root / "pkg" / "sub" / "up")
    assert SimplePackageFinder(str(root)).find_packages() == ["pkg", "pkg.sub"]


def deny_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``os.scandir(folder)`` fail with EACCES, as it does for a folder of mode -r."""
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        # a file descriptor too: shutil.rmtree lists by descriptor (pytest removing tmp_path)
        if not isinstance(path, int) and os.fspath(path) == str(folder):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unlistable_package_folder_is_named_relative_to_the_project(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package folder that cannot be listed fails module finding, naming it as in the project."""
    root = make_project({"src/app/__init__.py": "", "src/app/mod.py": ""})
    deny_listing(monkeypatch, root / "src" / "app")
    finder = ListPackageFinder(["app"], str(root / "src"), root=str(root))
    with pytest.raises(DiscoveryError, match="^cannot read the package folder src/app: Perm"):
        finder.find_modules()


def test_listed_package_that_is_not_there_has_no_modules(make_project: ProjectFactory) -> None:
    """A listed package without a folder yields no modules rather than an error."""
    root = make_project({"app/__init__.py": ""})
    modules = ListPackageFinder(["app", "gone"], str(root)).find_modules()
    assert [m.name for m in modules] == ["app"]


def deny_entering(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make looking inside ``folder`` fail with EACCES, as it does for a folder of mode -x."""
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        if self.parent == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)


def test_folder_that_cannot_be_entered_fails_naming_it(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose contents cannot be reached is an error, not a folder without plugins."""
    root = make_project({"src/app/__init__.py": "", "src/app/locked/__init__.py": ""})
    deny_entering(monkeypatch, root / "src" / "app" / "locked")
    finder = SimplePackageFinder(str(root / "src"), root=str(root))
    with pytest.raises(DiscoveryError, match="package folder src/app/locked: Permission denied"):
        finder.find_packages()


def test_excluded_folder_that_cannot_be_entered_is_skipped(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder excluded with all its sub-packages is not read, so it may be unreadable."""
    root = make_project({"app/__init__.py": "", "vendor/lib/__init__.py": ""})
    deny_entering(monkeypatch, root / "vendor")
    finder = SimplePackageFinder(str(root), exclude=["vendor", "vendor.*"])
    assert finder.find_packages() == ["app"]


def test_sub_folder_that_cannot_be_listed_fails_naming_it(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package folder that cannot be listed stops the package scan with a DiscoveryError."""
    root = make_project({"app/__init__.py": "", "app/sub/__init__.py": ""})
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Any:
        if self == root / "app" / "sub":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(DiscoveryError, match="app/sub: Permission denied"):
        SimplePackageFinder(str(root)).find_packages()


def test_missing_source_folder_has_no_packages(tmp_path: Path) -> None:
    """Scanning a source folder that does not exist finds no packages."""
    assert SimplePackageFinder(str(tmp_path / "absent")).find_packages() == []


def test_build_outputs_and_tool_folders_are_never_scanned(make_project: ProjectFactory) -> None:
    """``build/``, ``dist/``, virtual environments, ``.tox``/``.nox``, ``*.egg-info`` and
    ``__pycache__`` hold no package of the project, even as namespace packages."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/__pycache__/cached.py": "",
            "build/lib/app/__init__.py": "",
            "dist/app/__init__.py": "",
            "env312/pyvenv.cfg": "",
            "env312/lib/site/__init__.py": "",
            "app/venv/pyvenv.cfg": "",
            "app/venv/lib/__init__.py": "",
            ".tox/py/lib/__init__.py": "",
            ".nox/py/lib/__init__.py": "",
            "app.egg-info/x.py": "",
        }
    )
    assert SimplePackageFinder(str(root), namespace=True).find_packages() == ["app"]


def test_a_regular_package_named_build_is_a_package(make_project: ProjectFactory) -> None:
    """A ``build`` folder with ``__init__.py`` is a package (pypa's ``build`` in a site folder)."""
    root = make_project({"build/__init__.py": "", "build/sub/__init__.py": ""})
    assert SimplePackageFinder(str(root), namespace=True).find_packages() == ["build", "build.sub"]
