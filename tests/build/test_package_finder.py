"""Package and module finding on unusual trees: symbolic links, folders that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

from plux.build.discovery import SimplePackageFinder

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
