"""A project on disk: its configuration, package layout, whether it uses plux, its index files."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

from ._hatch_layout import hatch_package_finder
from ._packages import PackageFinder
from ._setuptools_layout import (
    Shipped,
    setuptools_package_finder,
    shipped_by_setuptools,
    source_path,
)
from ._static import StaticPluginFinder
from .config import (
    PYPROJECT,
    BuildBackend,
    ConfigError,
    EntrypointBuildMode,
    PluxConfiguration,
    determine_build_backend_from_pyproject_config,
    plux_config_of,
    read_pyproject,
)

__all__ = [
    "Project",
]

INDEX_FILE = "plux.json"
"""The build-hook index: in a setuptools project's egg-info folder (which an sdist carries), and
kept beside an editable install's entry points."""
PLUX_REQUIREMENT = "plux>=2.0.0.dev0"
"""What ``build-system.requires`` should say: a specifier naming a pre-release lets pip pick one."""


class Project:
    """The project in ``root``: reads ``pyproject.toml`` once and answers questions about it."""

    def __init__(self, root: str | Path = ".", backend: str | None = None) -> None:
        """``backend``: the backend building the project, when a build hook knows it."""
        self.root = Path(root)
        self.pyproject: dict[str, Any] = read_pyproject(self.root)
        self.config: PluxConfiguration = plux_config_of(self.pyproject, self.root / PYPROJECT)
        self._backend = backend

    @property
    def backend(self) -> str | None:
        """``setuptools`` or ``hatchling``: the one building it (in a build hook), else
        ``[tool.plux] build_backend`` if set, else ``[build-system] build-backend``; None for
        another backend or none at all."""
        if self._backend is not None:
            return self._backend
        if self.config.build_backend is not BuildBackend.AUTO:
            return str(self.config.build_backend.value)
        declared = determine_build_backend_from_pyproject_config(self.pyproject)
        if declared is not None:
            return str(declared.value)
        undeclared = "build-backend" not in self.pyproject.get("build-system", {})
        if undeclared and any((self.root / f).is_file() for f in ("setup.py", "setup.cfg")):
            return "setuptools"  # the PEP 517 default backend
        return None

    @property
    def name(self) -> str | None:
        """The project's name from ``[project]`` (or ``setup.cfg``), if it says."""
        name = self.pyproject.get("project", {}).get("name")
        if isinstance(name, str):
            return name
        setup_cfg = self.root / "setup.cfg"
        if setup_cfg.is_file():
            match = re.search(r"^name\s*=\s*(\S+)", setup_cfg.read_text(), re.MULTILINE)
            if match:
                return match.group(1)
        return None

    def uses_plux(self, *index_files: Path | None) -> bool:
        """Whether plux acts on this project at build time.

        True if plux is in ``build-system.requires``, ``[tool.plux]`` exists, or one of
        ``index_files`` (e.g. a ``plux.json`` in the egg-info directory) exists.
        """
        requires = self.pyproject.get("build-system", {}).get("requires", [])
        if isinstance(requires, list) and any(_requirement_name(r) == "plux" for r in requires):
            return True
        if "plux" in self.pyproject.get("tool", {}):
            return True
        return any(path is not None and path.is_file() for path in index_files)

    def missing_build_requirement(self) -> str | None:
        """The mistake if the project configures plux but its builds may run without plux 2, or
        None. Such a build cannot fail on its own: it ships no entry points, without a word.

        That is ``[tool.plux]`` (or hatchling's ``[tool.hatch.metadata.hooks.plux]``) without
        plux in ``build-system.requires`` (an isolated build has no plux), or plux required
        without a version (pip picks plux 1.16, the newest release).
        """
        tool = self.pyproject.get("tool", {})
        hooks = tool.get("hatch", {}).get("metadata", {}).get("hooks", {})
        if "plux" not in tool and "plux" not in hooks:
            return None
        requires = self.pyproject.get("build-system", {}).get("requires", [])
        listed = [r for r in requires if _requirement_name(r) == "plux"]
        where = self.root / PYPROJECT
        if not listed:
            return (
                f"{where} configures plux but [build-system] requires does not list plux, so "
                f'its builds ship no entry points: add "{PLUX_REQUIREMENT}" to requires'
            )
        if all(re.fullmatch(r"\s*plux\s*", r, re.IGNORECASE) for r in listed):
            return (
                f'{where}: [build-system] requires "plux" without a version, so pip builds with '
                f'plux 1.16, which ships no entry points here: require "{PLUX_REQUIREMENT}"'
            )
        return None

    @functools.cached_property
    def _shipped(self) -> Shipped | None:
        """What the installed setuptools ships (asked once: it reads the configuration again)."""
        declared = self.pyproject.get("build-system", {}).get("build-backend")
        # setuptools builds a project that names no backend (pip's default), if it has files
        # that configure one: a bare folder (``plux discover`` anywhere) is scanned as it is
        builds = self.backend == "setuptools" or (declared is None and self.backend is None)
        configured = any((self.root / f).is_file() for f in ("pyproject.toml", "setup.cfg"))
        return shipped_by_setuptools(self.root) if builds and configured else None

    def source_path(self) -> str:
        """The directory below ``root`` that holds the packages (``.`` or e.g. ``src``).

        :raises ConfigError: if setuptools cannot tell which packages the project ships.
        """
        shipped = None if self.config.path_configured else self._shipped
        return source_path(self.root, self.pyproject, self.config, shipped)

    def package_finder(
        self, shipped: Shipped | None = None, name: str | None = None
    ) -> PackageFinder:
        """The packages to scan: those the project's build backend ships, by that backend's
        rules (:mod:`.hatch_layout` for hatchling, :mod:`.setuptools_layout` otherwise; during a
        setuptools build, ``shipped`` is what the distribution ships, else the installed
        setuptools is asked). Build hooks and the command line both ask here, so they scan the
        same packages. ``name`` is the project's name where the build knows it (hatchling's
        default packages are named after it).

        :raises ConfigError: if the backend's layout cannot be followed.
        """
        if self.backend == "hatchling":
            name = name or self.name or ""
            return hatch_package_finder(self.root, name, self.pyproject, self.config)
        if shipped is None and not self.config.path_configured:
            shipped = self._shipped
        return setuptools_package_finder(self.root, self.pyproject, self.config, shipped)

    def plugin_finder(
        self, shipped: Shipped | None = None, name: str | None = None
    ) -> StaticPluginFinder:
        """The finder build-time discovery uses: static, importing only what it must."""
        return StaticPluginFinder(self.package_finder(shipped, name), root=self.root)

    def egg_info_dirs(self) -> list[Path]:
        """Existing ``*.egg-info`` directories of the project (in its source path, or its root)."""
        found: list[Path] = []
        try:
            source = self.root / self.source_path()
        except ConfigError:  # setuptools cannot tell: its build fails there, not this search
            source = self.root
        for base in dict.fromkeys([source, self.root]):
            found.extend(sorted(p for p in base.glob("*.egg-info") if p.is_dir()))
        return found

    def egg_info_dir(self) -> Path:
        """The egg-info directory setuptools uses for this project (existing, or where it goes)."""
        name = self.name
        expected = re.sub(r"[^A-Za-z0-9.]+", "_", name) + ".egg-info" if name else None
        existing = self.egg_info_dirs()
        for path in existing:
            if expected and path.name.lower() == expected.lower():
                return path
        if existing and expected is None:
            return existing[0]
        if expected is None:
            raise ValueError(f"cannot tell the project name of {self.root}: set [project] name")
        return self.root / self.source_path() / expected

    @property
    def manual(self) -> bool:
        """Whether the project is in manual mode (``plux entrypoints`` writes a static file that
        the project hands to its backend)."""
        return self.config.entrypoint_build_mode is EntrypointBuildMode.MANUAL

    def index_file(self) -> Path | None:
        """The index file this project's build reads and ``plux entrypoints`` writes: the
        static file (``plux.ini``) in manual mode, ``<name>.egg-info/plux.json`` for setuptools
        in build-hook mode; None for hatchling in build-hook mode, which discovers during every
        build and keeps none.

        :raises ValueError: if the egg-info folder cannot be told (the project has no name).
        """
        if self.manual:
            return self.root / self.config.entrypoint_static_file
        if self.backend == "hatchling":
            return None
        return self.egg_info_dir() / INDEX_FILE

    def is_sdist(self) -> bool:
        """Whether ``root`` is an unpacked source distribution (it has ``PKG-INFO``)."""
        return (self.root / "PKG-INFO").is_file()

    def shipped_index(self) -> Path | None:
        """The ``plux.json`` a source distribution carries in its egg-info directory, if any."""
        if not self.is_sdist():
            return None
        for egg_info in self.egg_info_dirs():
            if (egg_info / INDEX_FILE).is_file():
                return egg_info / INDEX_FILE
        return None


def manual_mode_unwired(project: Project) -> str | None:
    """The mistake if a setuptools project in manual mode does not hand its static file
    (``plux.ini``) to setuptools, which then builds a distribution without entry points; None
    if it does, or if that cannot be told (a ``setup.py`` without ``[project]`` is code)."""
    config = project.config
    if config.entrypoint_build_mode is not EntrypointBuildMode.MANUAL:
        return None
    if project.backend != "setuptools" or "project" not in project.pyproject:
        return None
    static = config.entrypoint_static_file
    missing = []
    if "entry-points" not in project.pyproject["project"].get("dynamic", []):
        missing.append('"entry-points" in [project] dynamic')
    dynamic = project.pyproject.get("tool", {}).get("setuptools", {}).get("dynamic", {})
    files = dynamic.get("entry-points", {}).get("file") if isinstance(dynamic, dict) else None
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not any(_same_file(f, static) for f in files):
        missing.append(f'entry-points = {{file = ["{static}"]}} in [tool.setuptools.dynamic]')
    if not missing:
        return None
    return (
        f"plux: {project.root / PYPROJECT} is in manual mode but does not hand {static} to "
        f"setuptools, so its builds install no entry points: add {' and '.join(missing)}"
    )


def _same_file(a: object, b: str) -> bool:
    return isinstance(a, str) and os.path.normpath(a) == os.path.normpath(b)


def missing_static_file(root: Path, config: PluxConfiguration) -> str | None:
    """The error for manual mode without its static file (``plux.ini``), or None if it exists."""
    path = root / config.entrypoint_static_file
    if path.exists():
        return None
    return (
        f"plux: {path} does not exist; in manual mode run 'python -m plux entrypoints' in "
        f"{root} and commit {config.entrypoint_static_file}"
    )


def _requirement_name(requirement: Any) -> str | None:
    if not isinstance(requirement, str):
        return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None
