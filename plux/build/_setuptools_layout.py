"""Which packages a setuptools project ships, read from ``pyproject.toml`` alone (no setuptools)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._packages import ListPackageFinder, PackageFinder, SimplePackageFinder
from .config import PluxConfiguration, check_configured_path

# setuptools' automatic discovery leaves these top-level names out of a flat layout (documented in
# "Package Discovery and Namespace Packages"); the command line mirrors it so that
# `plux entrypoints` finds what `pip install .` ships.
FLAT_LAYOUT_EXCLUDE = (
    "ci bin debian doc docs documentation manpages news newsfragments changelog test tests "
    "unit_test unit_tests example examples scripts tools util utils python build dist venv env "
    "requirements tasks fabfile site_scons benchmark benchmarks exercise exercises htmlcov"
).split()


def source_path(root: Path, pyproject: Mapping[str, Any], config: PluxConfiguration) -> str:
    """The directory below ``root`` that holds the packages (``.`` or e.g. ``src``)."""
    if config.path_configured:
        return config.path
    setuptools_table = pyproject.get("tool", {}).get("setuptools", {})
    package_dir = setuptools_table.get("package-dir", {})
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        return str(package_dir[""])
    find = _find_table(setuptools_table)
    where = find.get("where") if find else None
    if isinstance(where, list) and len(where) == 1 and isinstance(where[0], str):
        return where[0]
    if (root / "src").is_dir() and not _has_packages(root):
        return "src"
    return "."


def setuptools_package_finder(
    root: Path,
    pyproject: Mapping[str, Any],
    config: PluxConfiguration,
    packages: list[str] | None = None,
) -> PackageFinder:
    """The packages setuptools ships, with ``[tool.plux]`` include/exclude applied.

    ``packages`` (the distribution's list, during a build) wins; else an explicit
    ``[tool.plux] path``: every package below it; else ``[tool.setuptools] packages`` or
    ``packages.find``; else setuptools' automatic discovery (src layout, or flat layout without
    ``tests``, ``docs``, ...).

    :raises ConfigError: if ``[tool.plux] path`` names no folder.
    """
    path = source_path(root, pyproject, config)
    full_path, project = str(root / path), str(root)  # path patterns are relative to the project
    include, exclude = config.include, config.exclude
    if config.path_configured:
        check_configured_path(root, config)
        return SimplePackageFinder(full_path, include, exclude, root=project)
    if packages is not None:
        return ListPackageFinder(packages, full_path, include, exclude, root=project)
    setuptools_table = pyproject.get("tool", {}).get("setuptools", {})
    listed = setuptools_table.get("packages")
    if isinstance(listed, list):
        listed = [str(p) for p in listed]
        return ListPackageFinder(listed, full_path, include, exclude, root=project)
    find = _find_table(setuptools_table)
    if find is not None:
        # what setuptools ships, then narrowed by plux's own patterns (both must match)
        shipped = SimplePackageFinder(
            full_path,
            include=find.get("include", ()),
            exclude=find.get("exclude", ()),
            namespace=bool(find.get("namespaces", True)),
            root=project,
        ).find_packages()
        return ListPackageFinder(shipped, full_path, include, exclude, root=project)
    if path == ".":
        flat = [p for name in FLAT_LAYOUT_EXCLUDE for p in (name, f"{name}.*")]
        return SimplePackageFinder(full_path, include, [*flat, *exclude], root=project)
    return SimplePackageFinder(full_path, include, exclude, root=project)


def _find_table(setuptools_table: Mapping[str, Any]) -> dict[str, Any] | None:
    packages = setuptools_table.get("packages")
    if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        find: dict[str, Any] = packages["find"]
        return find
    return None


def _has_packages(root: Path) -> bool:
    return any((child / "__init__.py").is_file() for child in root.iterdir() if child.is_dir())
