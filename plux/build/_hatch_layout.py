"""Which packages a hatchling project ships, read from ``pyproject.toml`` alone (no hatchling)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from glob import escape, glob
from pathlib import Path
from typing import Any

from ._packages import ListPackageFinder, PackageFinder, SimplePackageFinder
from .config import ConfigError, PluxConfiguration, check_configured_path

LOG = logging.getLogger(__name__)


def hatch_package_finder(
    root: str | Path, project_name: str, pyproject: Mapping[str, Any], config: PluxConfiguration
) -> PackageFinder:
    """The packages hatchling ships in the wheel, as a :class:`PackageFinder` below their source
    directory, with ``[tool.plux]`` include/exclude applied.

    Computed from ``pyproject.toml`` alone: asking hatchling's wheel builder would compute the
    metadata, and so run plux's metadata hook again.

    :raises ConfigError: if the packages live in several source directories, hatchling's
        ``sources`` rename them, or ``[tool.plux] path`` names no folder.
    """
    project = Path(root)
    include, exclude = config.include, config.exclude
    if config.path_configured:
        check_configured_path(project, config)
        return SimplePackageFinder(str(project / config.path), include, exclude, root=str(project))
    packages = _configured_packages(pyproject)
    if packages is None:
        packages = _default_packages(project, project_name)
    if packages is None:
        LOG.info("plux: no packages configured or found by name; scanning all of %s", project)
        return SimplePackageFinder(str(project), include, exclude, root=str(project))
    parents = sorted({os.path.dirname(p.rstrip("/")) for p in packages})
    if len(parents) != 1:
        raise ConfigError(
            f"the wheel's packages {packages} live in several directories; set "
            "[tool.plux] path to the one that holds the plugins"
        )
    names = wheel_packages(project, packages)
    base = str(project / parents[0])
    return ListPackageFinder(names, base, include, exclude, root=str(project))


def wheel_packages(root: Path, package_paths: Iterable[str]) -> list[str]:
    """The dotted names of hatchling's wheel ``packages`` (folders relative to ``root``) and of
    every package below them; a folder without ``__init__.py`` is a namespace package."""
    names: set[str] = set()
    for package in package_paths:
        folder = root / package.rstrip("/")
        finder = SimplePackageFinder(str(folder))
        if finder.top_package:
            names.update(finder.find_packages())
        elif folder.is_dir():
            below = SimplePackageFinder(str(folder), namespace=True).find_packages()
            names.update([folder.name, *(f"{folder.name}.{p}" for p in below)])
    return sorted(names)


def _configured_packages(pyproject: Mapping[str, Any]) -> list[str] | None:
    build = pyproject.get("tool", {}).get("hatch", {}).get("build", {})
    wheel = build.get("targets", {}).get("wheel", {})
    sources = wheel.get("sources", build.get("sources"))
    if isinstance(sources, dict) and any(str(target).strip("/.") for target in sources.values()):
        # Entry points name modules as installed; a rename would make them point nowhere.
        raise ConfigError(
            "hatchling 'sources' that rename directories are not supported; set "
            "[tool.plux] path to the directory whose packages are installed as they are named"
        )
    packages = wheel.get("packages", build.get("packages"))
    if packages is None:
        return None
    if not isinstance(packages, list) or not all(isinstance(p, str) and p for p in packages):
        raise ConfigError("[tool.hatch.build] packages must be a list of paths")
    return [p.replace("\\", "/").strip("/") for p in packages]


def _default_packages(root: Path, project_name: str) -> list[str] | None:
    """Hatchling's default wheel packages for a project called ``project_name`` (see its
    ``WheelBuilderConfig.default_file_selection_options``)."""
    normalized = re.sub(r"[-_.]+", "-", project_name).lower()
    for name in dict.fromkeys(re.sub(r"[^\w\d.]+", "_", n) for n in (project_name, normalized)):
        if (root / name / "__init__.py").is_file():
            return [name]
        if (root / "src" / name / "__init__.py").is_file():
            return [f"src/{name}"]
        found = glob(os.path.join(escape(str(root)), "*", escape(name), "__init__.py"))
        if len(found) == 1:
            return [Path(found[0]).relative_to(root).parts[0]]
    return None
