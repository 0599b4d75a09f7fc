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

import configparser
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl

from plux.core._entry_points_text import EntryPointTable

from ._hatch_layout import wheel_packages
from ._packages import PackageFinder
from ._patterns import PackageSelection
from .config import (
    ConfigError,
    PluxConfiguration,
    read_pyproject,
)
from .discovery import DiscoveryError
from .index import PluginIndexBuilder, merge_tables, read_index
from .project import Project, missing_static_file

LOG = logging.getLogger(__name__)

DYNAMIC_FIELD = "entry-points"

__all__ = [
    "PluxMetadataHook",
    "PluxHookError",
    "HatchlingPackageFinder",
    "hatch_register_metadata_hook",
]


class PluxHookError(ValueError):
    """The hook cannot fill the entry points; the message says what to change (hatchling shows
    it as the build's error)."""


class HatchlingPackageFinder(PackageFinder):
    """The packages of hatchling's wheel configuration (a ``BuilderConfig``: ``root``, ``sources``,
    ``packages``), as plux 1.16 offered it; include/exclude patterns apply as everywhere."""

    def __init__(
        self,
        builder_config: Any,
        exclude: Iterable[str] | None = None,
        include: Iterable[str] | None = None,
    ) -> None:
        self.builder_config = builder_config
        self.root = str(builder_config.root)
        self.selection = PackageSelection(include or (), exclude or ())

    @property
    def path(self) -> str:
        """The folder holding the packages: the one source folder hatchling installs as it is
        named (``{"localstack-core/": ""}``), else the project root."""
        root = str(self.builder_config.root)
        sources = {k.rstrip("/"): v for k, v in self.builder_config.sources.items() if k}
        if len(sources) == 1:
            ((source, target),) = sources.items()
            if not target:
                return os.path.join(root, source)
        if sources:
            LOG.warning("plux: cannot follow hatchling sources %s; scanning from the root", sources)
        return root

    def find_packages(self) -> list[str]:
        names = wheel_packages(Path(self.builder_config.root), self.builder_config.packages)
        return [p for p in names if self.selection.package(p)]


def discover_entry_points(root: str | Path, project_name: str) -> EntryPointTable:
    """The project's entry points as plux sees them for a hatchling build: read from the static
    file in manual mode, discovered from source in build-hook mode.

    :raises PluxHookError: naming the file or setting to fix.
    """
    try:
        project = Project(root, backend="hatchling")
        if project.manual:
            return read_static_file(project.root, project.config)
        finder = project.plugin_finder(name=project_name)
    except ConfigError as e:
        raise PluxHookError(f"plux: {e}") from e
    try:
        return PluginIndexBuilder(finder).find_index()
    except (DiscoveryError, ValueError) as e:
        raise PluxHookError(f"plux: plugin discovery failed: {e}") from e


def read_static_file(root: Path, config: PluxConfiguration) -> EntryPointTable:
    """The entry points in the manual-mode file (``plux.ini``, or ``plux.json`` by its suffix).

    :raises PluxHookError: if the file is missing or not an index.
    """
    path = root / config.entrypoint_static_file
    missing = missing_static_file(root, config)
    if missing:
        raise PluxHookError(missing)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PluxHookError(f"plux: cannot read {path}: {e}") from e
    output_format = "json" if path.suffix == ".json" else "ini"
    try:
        table, errors = read_index(text, output_format, str(path))
    except ValueError as e:
        errors = [str(e)]
    if errors:
        raise PluxHookError(
            f"plux: Failed to parse {config.entrypoint_static_file} ({path}): "
            + "\n".join(errors)
            + "; fix it, or write it again with 'python -m plux entrypoints'"
        )
    return table


def merge_entry_points(
    metadata: dict[str, Any], found: Mapping[str, Mapping[str, str]], source: str
) -> None:
    """Add ``found`` to ``metadata["entry-points"]`` (which an earlier hook may have filled).

    :raises PluxHookError: if a name already there has another value.
    """
    clashes = merge_tables(metadata.setdefault(DYNAMIC_FIELD, {}), found)
    if clashes:
        group, name, there, value = clashes[0]
        raise PluxHookError(
            f"plux: entry point {name!r} in group {group!r} is {there!r} "
            f"already, but {source} says {value!r}"
        )


def _parse_plux_ini(path: str) -> dict[str, dict[str, str]]:
    """plux 1.16's reader of ``plux.ini`` as ``{group: {name: value}}``, kept for its callers.

    :raises FileNotFoundError: if there is no such file.
    :raises configparser.Error: if a line is not an entry point or a ``[group]``.
    """
    table, errors = read_index(Path(path).read_text(encoding="utf-8"), "ini", path)
    if errors:
        raise configparser.Error("\n".join(errors))
    return table


def _merge_entry_points(
    target: dict[str, dict[str, str]], source: Mapping[str, Mapping[str, str]]
) -> None:
    """plux 1.16's merge into an ``entry-points`` table, kept for its callers; a name already
    there with another value raises :class:`PluxHookError` (1.16 overwrote it)."""
    merge_entry_points({DYNAMIC_FIELD: target}, source, "the merged entry points")


class PluxMetadataHook(MetadataHookInterface):
    """Fills ``entry-points`` from the project's plugins (``[tool.hatch.metadata.hooks.plux]``).

    The hook takes no options: ``[tool.plux]`` configures discovery for every backend.
    """

    PLUGIN_NAME = "plux"

    def __init__(self, root: str, config: dict[str, Any]) -> None:
        """Check ``[project] dynamic`` as hatchling loads the hook: without ``entry-points``
        there, hatchling may never call :meth:`update` (it skips hooks when nothing is dynamic).

        :raises PluxHookError: if ``pyproject.toml`` has ``[project]`` without ``entry-points``
            in ``dynamic``.
        """
        super().__init__(root, config)
        project = read_pyproject(root).get("project")
        if isinstance(project, dict):
            _check_dynamic(project)

    def update(self, metadata: dict[str, Any]) -> None:
        """Set ``metadata["entry-points"]`` (hatchling's raw ``[project]`` table) in place.

        :raises PluxHookError: if ``[project] dynamic`` lacks ``entry-points``, the hook has
            options, or the entry points cannot be had (discovery fails, the manual-mode file
            is missing).
        """
        config: Mapping[str, Any] = self.config
        unknown = sorted(set(config))
        if unknown:
            raise PluxHookError(
                f"plux: [tool.hatch.metadata.hooks.plux] takes no options (got {unknown}); "
                "configure discovery in [tool.plux]"
            )
        if "dynamic" in metadata:  # plux 1.16's callers pass none; hatchling always does
            _check_dynamic(metadata)
        name = str(metadata.get("name", ""))
        index = discover_entry_points(self.root, name)
        # Always set the field, even to {}: a dynamic field left unset would stay "dynamic".
        merge_entry_points(metadata, index, "plux")
        count = sum(len(entries) for entries in index.values())
        LOG.info("plux: %d entry points in %d groups for %s", count, len(index), name)


def _check_dynamic(project: Mapping[str, Any]) -> None:
    if DYNAMIC_FIELD not in project.get("dynamic", []):
        raise PluxHookError(
            f'plux: add "{DYNAMIC_FIELD}" to [project] dynamic in pyproject.toml so that '
            "the plux metadata hook may fill it"
        )


@hookimpl
def hatch_register_metadata_hook() -> type[MetadataHookInterface]:
    """Hatchling's plugin hook: the ``plux`` metadata hook class."""
    return PluxMetadataHook
