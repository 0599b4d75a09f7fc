"""Which packages a setuptools project ships: as the installed setuptools says, else read from
``pyproject.toml`` by setuptools' documented rules."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ._packages import ListPackageFinder, PackageFinder, SimplePackageFinder
from .config import ConfigError, PluxConfiguration, check_configured_path

# setuptools' automatic discovery leaves these top-level names out of a flat layout (documented in
# "Package Discovery and Namespace Packages"); followed where setuptools is not installed.
FLAT_LAYOUT_EXCLUDE = (
    "ci bin debian doc docs documentation manpages news newsfragments changelog test tests "
    "unit_test unit_tests example examples scripts tools util utils python build dist venv env "
    "requirements tasks fabfile site_scons benchmark benchmarks exercise exercises htmlcov"
).split()


class Shipped(NamedTuple):
    """The packages a build ships, and the folder (relative to the project) that holds them
    (None where setuptools maps packages to several folders: the folder rules then decide)."""

    path: str | None
    packages: list[str]
    modules: list[str]
    """Modules outside any package (``py_modules``)."""

    @classmethod
    def of(
        cls,
        package_dir: Mapping[str, str] | None,
        packages: list[str] | None,
        modules: list[str] | None,
    ) -> Shipped:
        """From setuptools' ``package_dir``, ``packages`` and ``py_modules``."""
        folders = dict(package_dir or {})
        path = folders.pop("", ".")
        return cls(None if folders else path, sorted(packages or []), sorted(modules or []))


def shipped_by_setuptools(root: Path) -> Shipped | None:
    """What the installed setuptools ships from the project's ``pyproject.toml`` and
    ``setup.cfg``, by its own discovery (asked in a child interpreter, see ``_ask_setuptools``);
    None if setuptools is not installed or a ``setup.py`` decides (its code would have to run).

    :raises ConfigError: if setuptools cannot tell (a flat layout with several top-level
        packages, an invalid configuration): the build would fail the same way.
    """
    if (root / "setup.py").exists():
        return None
    script = str(Path(__file__).with_name("_ask_setuptools.py"))
    # the child gets this process's sys.path, so it finds the setuptools in use here
    try:
        proc = subprocess.run(
            [sys.executable, "-S", "-c", _RUN_WITH_PATH, script, str(root.resolve()), *sys.path],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no interpreter to run (an embedded Python): follow the rules
        return None
    if proc.returncode == 3:
        return None
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        answer = {"error": (proc.stderr.strip().splitlines() or ["no answer"])[-1]}
    if proc.returncode != 0 or "error" in answer:
        error = answer.get("error", f"exit status {proc.returncode}")
        raise ConfigError(f"setuptools cannot tell which packages {root} ships: {error}")
    return Shipped.of(answer["package_dir"], answer["packages"], answer["py_modules"])


_RUN_WITH_PATH = (
    "import runpy, sys; script, root = sys.argv[1:3]; sys.path[:] = sys.argv[3:]; "
    "sys.argv[1:] = [root]; runpy.run_path(script, run_name='__main__')"
)


def source_path(
    root: Path, pyproject: Mapping[str, Any], config: PluxConfiguration, shipped: Shipped | None
) -> str:
    """The directory below ``root`` that holds the packages (``.`` or e.g. ``src``)."""
    if config.path_configured:
        return config.path
    if shipped is not None and shipped.path is not None:
        return shipped.path
    setuptools_table = pyproject.get("tool", {}).get("setuptools", {})
    package_dir = setuptools_table.get("package-dir", {})
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        return str(package_dir[""])
    find = _find_table(setuptools_table)
    where = find.get("where") if find else None
    if isinstance(where, list) and len(where) == 1 and isinstance(where[0], str):
        return where[0]
    if (root / "src").is_dir():  # setuptools' src layout wins whenever the folder exists
        return "src"
    return "."


def setuptools_package_finder(
    root: Path,
    pyproject: Mapping[str, Any],
    config: PluxConfiguration,
    shipped: Shipped | None = None,
) -> PackageFinder:
    """The packages setuptools ships, with ``[tool.plux]`` include/exclude applied.

    An explicit ``[tool.plux] path``: every package below it; else what setuptools ships
    (``shipped``: the distribution's during a build, else what the installed setuptools
    discovers); else, without setuptools, its rules read from ``pyproject.toml``:
    ``[tool.setuptools] packages`` or ``packages.find``, else automatic discovery (src layout
    whenever ``src/`` exists, or flat layout without ``tests``, ``docs``, ...).

    :raises ConfigError: if ``[tool.plux] path`` names no folder.
    """
    path = source_path(root, pyproject, config, shipped)
    full_path, project = str(root / path), str(root)  # path patterns are relative to the project
    include, exclude = config.include, config.exclude
    if config.path_configured:
        check_configured_path(root, config)
        return SimplePackageFinder(full_path, include, exclude, root=project)
    if shipped is not None:
        return ListPackageFinder(
            shipped.packages, full_path, include, exclude, root=project, modules=shipped.modules
        )
    setuptools_table = pyproject.get("tool", {}).get("setuptools", {})
    listed = setuptools_table.get("packages")
    if isinstance(listed, list):
        listed = [str(p) for p in listed]
        return ListPackageFinder(listed, full_path, include, exclude, root=project)
    find = _find_table(setuptools_table)
    if find is not None:
        # what setuptools ships, then narrowed by plux's own patterns (both must match)
        found = SimplePackageFinder(
            full_path,
            include=find.get("include", ()),
            exclude=find.get("exclude", ()),
            namespace=bool(find.get("namespaces", True)),
            root=project,
        ).find_packages()
        return ListPackageFinder(found, full_path, include, exclude, root=project)
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
