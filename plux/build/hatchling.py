"""The hatchling metadata hook ``plux``: fills a project's ``entry-points`` from its plugins.

A project opts in with three lines of ``pyproject.toml`` and no code::

    [build-system]
    requires = ["hatchling", "plux"]
    build-backend = "hatchling.build"

    [project]
    dynamic = ["entry-points"]

    [tool.hatch.metadata.hooks.plux]

Installing plux registers the hook through hatchling's plugin entry point (group ``hatch``, this
module). In ``build-hook`` mode (the default) the hook discovers the plugins while hatchling
writes the metadata, reading the source (AST) so that isolated builds need none of the
project's dependencies; in ``manual`` mode it reads the committed ``plux.ini`` (or
``[tool.plux] entrypoint_static_file``), which ``python -m plux entrypoints`` writes.

Which packages are scanned: ``[tool.plux] path`` when set, else the wheel's
``[tool.hatch.build(.targets.wheel)] packages``, else hatchling's own default (``<name>/``,
``src/<name>/``, ``<namespace>/<name>/``), else every package below the project.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from glob import escape, glob
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl

from plux.core.entrypoint import EntryPointDict

from .config import (
    ConfigError,
    EntrypointBuildMode,
    PluxConfiguration,
    read_plux_config,
    read_pyproject,
)
from .discovery import DiscoveryError, ListPackageFinder, PackageFinder, SimplePackageFinder
from .index import PluginIndexBuilder, parse_index
from .static import StaticPluginFinder

LOG = logging.getLogger(__name__)

DYNAMIC_FIELD = "entry-points"


class PluxHookError(ValueError):
    """The hook cannot fill the entry points; the message says what to change (hatchling shows
    it as the build's error)."""


def hatch_package_finder(
    root: str | Path, project_name: str, pyproject: Mapping[str, Any], config: PluxConfiguration
) -> PackageFinder:
    """The packages hatchling ships in the wheel, as a :class:`PackageFinder` below their source
    directory, with ``[tool.plux]`` include/exclude applied.

    Computed from ``pyproject.toml`` alone: asking hatchling's wheel builder would compute the
    metadata, and so run this hook again.

    :raises PluxHookError: if the packages live in several source directories.
    """
    project = Path(root)
    include, exclude = config.include, config.exclude
    if config.path_configured:
        return SimplePackageFinder(str(project / config.path), include, exclude, root=str(project))
    packages = _configured_packages(pyproject)
    if packages is None:
        packages = _default_packages(project, project_name)
    if packages is None:
        LOG.info("plux: no packages configured or found by name; scanning all of %s", project)
        return SimplePackageFinder(str(project), include, exclude, root=str(project))
    parents = sorted({os.path.dirname(p.rstrip("/")) for p in packages})
    if len(parents) != 1:
        raise PluxHookError(
            f"plux: the wheel's packages {packages} live in several directories; set "
            "[tool.plux] path to the one that holds the plugins"
        )
    base = project / parents[0]
    names: list[str] = []
    for package in packages:
        top = os.path.basename(package.rstrip("/"))
        namespace = not (base / top / "__init__.py").is_file()
        found = SimplePackageFinder(str(base), namespace=namespace).find_packages()
        names.extend(p for p in found if p == top or p.startswith(top + "."))
    return ListPackageFinder(sorted(set(names)), str(base), include, exclude, root=str(project))


def _configured_packages(pyproject: Mapping[str, Any]) -> list[str] | None:
    build = pyproject.get("tool", {}).get("hatch", {}).get("build", {})
    wheel = build.get("targets", {}).get("wheel", {})
    sources = wheel.get("sources", build.get("sources"))
    if isinstance(sources, dict) and any(str(target).strip("/.") for target in sources.values()):
        # Entry points name modules as installed; a rename would make them point nowhere.
        raise PluxHookError(
            "plux: hatchling 'sources' that rename directories are not supported; set "
            "[tool.plux] path to the directory whose packages are installed as they are named"
        )
    packages = wheel.get("packages", build.get("packages"))
    if packages is None:
        return None
    if not isinstance(packages, list) or not all(isinstance(p, str) and p for p in packages):
        raise PluxHookError("plux: [tool.hatch.build] packages must be a list of paths")
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


def discover_entry_points(root: str | Path, project_name: str) -> EntryPointDict:
    """The project's entry points as plux sees them for a hatchling build: read from the static
    file in manual mode, discovered from source in build-hook mode.

    :raises PluxHookError: naming the file or setting to fix.
    """
    project = Path(root)
    try:
        config = read_plux_config(project)
        pyproject = read_pyproject(project)
    except ConfigError as e:
        raise PluxHookError(f"plux: {e}") from e
    if config.entrypoint_build_mode is EntrypointBuildMode.MANUAL:
        return read_static_file(project, config)
    finder = hatch_package_finder(project, project_name, pyproject, config)
    try:
        return PluginIndexBuilder(StaticPluginFinder(finder, root=project)).find_entry_points()
    except (DiscoveryError, ValueError) as e:
        raise PluxHookError(f"plux: plugin discovery failed: {e}") from e


def read_static_file(root: Path, config: PluxConfiguration) -> EntryPointDict:
    """The entry points in the manual-mode file (``plux.ini``, or ``plux.json`` by its suffix).

    :raises PluxHookError: if the file is missing or not an index.
    """
    path = root / config.entrypoint_static_file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PluxHookError(
            f"plux: {path} does not exist; in manual mode run 'python -m plux entrypoints' in "
            f"{root} and commit {config.entrypoint_static_file}"
        ) from None
    except OSError as e:
        raise PluxHookError(f"plux: cannot read {path}: {e}") from e
    output_format = "json" if path.suffix == ".json" else "ini"
    try:
        return parse_index(text, output_format)
    except ValueError as e:
        raise PluxHookError(f"plux: {path} is not a plux index: {e}") from e


def to_metadata_table(index: EntryPointDict) -> dict[str, dict[str, str]]:
    """An index as the ``[project.entry-points]`` table: ``{group: {name: value}}``."""
    table: dict[str, dict[str, str]] = {}
    for group, entries in index.items():
        for entry in entries:
            name, _, value = entry.partition("=")
            table.setdefault(group, {})[name.strip()] = value.strip()
    return table


def merge_entry_points(
    metadata: dict[str, Any], found: Mapping[str, Mapping[str, str]], source: str
) -> None:
    """Add ``found`` to ``metadata["entry-points"]`` (which an earlier hook may have filled).

    :raises PluxHookError: if a name already there has another value.
    """
    table = metadata.setdefault(DYNAMIC_FIELD, {})
    for group, entries in found.items():
        existing = table.setdefault(group, {})
        for name, value in entries.items():
            if existing.get(name, value) != value:
                raise PluxHookError(
                    f"plux: entry point {name!r} in group {group!r} is {existing[name]!r} "
                    f"already, but {source} says {value!r}"
                )
            existing[name] = value


class PluxMetadataHook(MetadataHookInterface):
    """Fills ``entry-points`` from the project's plugins (``[tool.hatch.metadata.hooks.plux]``).

    The hook takes no options: ``[tool.plux]`` configures discovery for every backend.
    """

    PLUGIN_NAME = "plux"

    def update(self, metadata: dict[str, Any]) -> None:
        """Set ``metadata["entry-points"]`` (hatchling's raw ``[project]`` table) in place.

        :raises PluxHookError: if ``entry-points`` is not dynamic, the hook has options, or the
            entry points cannot be had (discovery fails, the manual-mode file is missing).
        """
        config: Mapping[str, Any] = self.config
        unknown = sorted(set(config))
        if unknown:
            raise PluxHookError(
                f"plux: [tool.hatch.metadata.hooks.plux] takes no options (got {unknown}); "
                "configure discovery in [tool.plux]"
            )
        dynamic = metadata.get("dynamic", [])
        if DYNAMIC_FIELD not in dynamic:
            raise PluxHookError(
                f'plux: add "{DYNAMIC_FIELD}" to [project] dynamic in pyproject.toml so that '
                "the plux metadata hook may fill it"
            )
        name = str(metadata.get("name", ""))
        index = discover_entry_points(self.root, name)
        # Always set the field, even to {}: a dynamic field left unset would stay "dynamic".
        merge_entry_points(metadata, to_metadata_table(index), "plux")
        count = sum(len(entries) for entries in index.values())
        LOG.info("plux: %d entry points in %d groups for %s", count, len(index), name)


@hookimpl
def hatch_register_metadata_hook() -> type[MetadataHookInterface]:
    """Hatchling's plugin hook: the ``plux`` metadata hook class."""
    return PluxMetadataHook
