"""Package and module finding on unusual trees: symbolic links, folders that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from plux.build.discovery import DiscoveryError, ListPackageFinder, SimplePackageFinder

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
        if os.fspath(path) == str(folder):
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
