"""setuptools integration: entry points discovered during the build, and helpers for ``setup.py``.

plux joins setuptools only through its documented extension points, registered as entry points of
the plux distribution:

- ``egg_info.writers``: ``plux.json`` = :func:`write_plux_index`. Whenever setuptools writes a
  project's egg-info (``pip install .``, ``pip install -e .``, ``python -m build``, ``setup.py``
  commands), this discovers the project's plugins, writes ``plux.json`` into the egg-info
  directory, adds the plugins to the distribution's entry points and rewrites
  ``entry_points.txt`` with setuptools' own writer (writers run in no set order).
- ``distutils.commands``: ``plugins`` = :class:`plugins`, the same discovery on demand.

It acts only on projects that use plux (see :meth:`Project.uses_plux`) in ``build-hook`` mode.
A source distribution carries ``plux.json`` in its egg-info directory; a build from an unpacked
sdist (which has ``PKG-INFO``) takes the index from there instead of discovering again, so the
wheel gets the same entry points even where the plugin modules cannot be imported.
"""

from __future__ import annotations

import logging
import os
import sys
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import setuptools
from setuptools.command.egg_info import write_entries

from plux.core._entry_points_text import (
    EntryPointTable,
    entry_point_strings,
    read_entry_point_table,
)
from plux.core.entrypoint import EntryPointDict

from ._editable import editable_installs, update_editable_install
from ._setuptools_layout import Shipped
from ._static import StaticPluginFinder
from .config import ConfigError
from .discovery import DiscoveryError, PluginFromPackageFinder, SimplePackageFinder
from .index import PluginIndexBuilder, merge_tables, read_index_file, render_index
from .project import INDEX_FILE, Project, manual_mode_unwired, missing_static_file

LOG = logging.getLogger(__name__)

# One discovery per distribution object, though egg_info may run several times in one build.
_discovered: weakref.WeakKeyDictionary[Any, EntryPointTable] = weakref.WeakKeyDictionary()


def write_plux_index(cmd: Any, basename: str, filename: str) -> None:
    """``egg_info.writers`` hook: discover, write ``plux.json``, merge into ``entry_points.txt``.

    :raises setuptools.errors.SetupError: one line starting ``plux:`` that names the key, file
        or plugin to fix (pip shows it without a traceback).
    """
    try:
        project = Project(os.getcwd())
    except ConfigError as e:
        raise setuptools.errors.SetupError(f"plux: {e}") from e
    shipped = project.shipped_index()
    if not project.uses_plux(Path(filename), shipped):
        return
    if project.manual:
        # setuptools reads the static file itself, and only warns (shown with -v) if it is missing
        mistake = missing_static_file(project.root, project.config) or manual_mode_unwired(project)
        if mistake:
            raise setuptools.errors.SetupError(mistake)
        return
    dist = cmd.distribution
    if shipped is not None:
        index = read_index_file(shipped)
        LOG.info("plux: using the plugin index shipped in %s", shipped)
    else:
        index = discover_for_distribution(dist, project)
    cmd.write_file("plux plugin index", filename, render_index(index, "json"))
    merge_entry_points(dist, index)
    write_entries(cmd, "entry_points.txt", os.path.join(cmd.egg_info, "entry_points.txt"))


def discover_for_distribution(dist: Any, project: Project) -> EntryPointTable:
    """Discover the plugins of the packages ``dist`` ships (once per distribution object)."""
    if dist in _discovered:
        return _discovered[dist]
    shipped = None
    if dist.packages is not None or dist.py_modules is not None:
        shipped = Shipped.of(dist.package_dir, dist.packages, dist.py_modules)
    try:
        finder = project.plugin_finder(shipped)
        index = PluginIndexBuilder(finder).find_index()
    except (DiscoveryError, ConfigError) as e:
        raise setuptools.errors.SetupError(f"plux: {e}") from e
    notes = [note for verdict in finder.verdicts for note in verdict.notes]
    if notes:
        # Names from uninstalled libraries were taken to make no plugin: say so, never silently.
        LOG.warning(
            "plux: %d name(s) from libraries not installed in the build environment were taken "
            "to make no plugin:\n  %s",
            len(notes),
            "\n  ".join(notes),
        )
    _discovered[dist] = index
    return index


def merge_entry_points(dist: Any, index: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``index`` to ``dist.entry_points``; a declared entry point is kept as declared.

    :raises setuptools.errors.SetupError: if the project declares a name plux also discovered,
        with a different value (both are named), or a declared entry point is not
        ``name = value``.
    """
    merged, errors = read_entry_point_table(dist.entry_points or {}, "entry_points")
    if errors:
        raise setuptools.errors.SetupError("plux: " + "\n".join(errors))
    clashes = merge_tables(merged, index)
    if clashes:
        group, name, declared, value = clashes[0]
        raise setuptools.errors.SetupError(
            f"plux: entry point {name!r} in group {group!r} is declared as "
            f"{declared} but discovered at {value}; remove one of them"
        )
    dist.entry_points = entry_point_strings(merged)


class plugins(setuptools.Command):  # type: ignore[misc]  # setuptools ships no types here
    """``setup.py plugins``: discover plugins, write ``plux.json`` into the egg-info directory.

    Also brings editable installs of the project in the running interpreter's environment up to
    date, so the installed program sees added plugins without reinstalling.
    """

    description = "discover plux plugins and write them to <name>.egg-info/plux.json"
    user_options: ClassVar[list[tuple[str, str, str]]] = [
        ("exclude=", "e", "comma-separated patterns of packages or modules not to scan"),
        ("include=", "i", "comma-separated patterns of packages to scan (default: all)"),
    ]

    def initialize_options(self) -> None:
        self.exclude: Any = None
        self.include: Any = None

    def finalize_options(self) -> None:
        self.ensure_string_list("exclude")
        self.ensure_string_list("include")

    def run(self) -> None:
        project = Project(os.getcwd())
        project.config = project.config.merge(include=self.include, exclude=self.exclude)
        dist = self.distribution
        _discovered.pop(dist, None)
        index = discover_for_distribution(dist, project)
        egg_info = self.get_finalized_command("egg_info").egg_info
        self.mkpath(egg_info)
        Path(egg_info, INDEX_FILE).write_text(render_index(index, "json"))
        self.run_command("egg_info")
        for dist_info in editable_installs(project.root, sys.path):
            if update_editable_install(dist_info, index):
                self.announce(f"updated entry points of editable install {dist_info}", 2)


def write_egg_info(project: Project, index: Mapping[str, Mapping[str, str]]) -> None:
    """Run setuptools' ``egg_info`` for the project in the working folder with ``index`` as its
    plugins, so ``<name>.egg-info`` holds ``entry_points.txt`` (and ``SOURCES.txt``, ...) as
    after a build. Needs ``setup.cfg`` or ``pyproject.toml``: a bare ``setup.py`` is code."""
    config_files = [
        name for name in ("setup.cfg", "pyproject.toml") if (project.root / name).is_file()
    ]
    if not config_files:
        return
    dist = setuptools.Distribution()
    dist.parse_config_files(config_files)
    # SOURCES.txt lists the script: relative, so that no absolute path ends up in an sdist
    dist.script_name = "setup.py" if (project.root / "setup.py").is_file() else config_files[0]
    # the egg_info.writers hook merges this index, not a new discovery
    _discovered[dist] = {group: dict(entries) for group, entries in index.items()}
    dist.run_command("egg_info")


class PackagePathPluginFinder(PluginFromPackageFinder):
    """Import-based discovery of the packages below ``where`` (``find_namespace_packages``'
    signature): directories without ``__init__.py`` count as namespace packages unless
    ``namespace=False``. A module that fails to import is logged and skipped, as in plux 1.16."""

    def __init__(
        self,
        where: str = ".",
        exclude: Iterable[str] = (),
        include: Iterable[str] = ("*",),
        namespace: bool = True,
    ) -> None:
        super().__init__(SimplePackageFinder(where, include, exclude, namespace=namespace))


def find_plugins(
    where: str = ".", exclude: Iterable[str] = (), include: Iterable[str] = ("*",)
) -> EntryPointDict:
    """Discover the plugins of the packages below ``where`` (namespace packages included) and
    return them for ``setup(entry_points=...)``.

    Discovery reads the source and imports only modules it cannot decide from it.

    :raises DiscoveryError: if a module that must be imported fails to (naming it and why).
    """
    return entry_point_strings(_find_index(where, exclude, include))


def _find_index(where: str, exclude: Iterable[str], include: Iterable[str]) -> EntryPointTable:
    package_finder = SimplePackageFinder(where, include, exclude, namespace=True)
    finder = StaticPluginFinder(package_finder, root=os.getcwd())
    return PluginIndexBuilder(finder).find_index()


def load_entry_points(
    where: str = ".",
    exclude: Iterable[str] = (),
    include: Iterable[str] = ("*",),
    merge: EntryPointDict | None = None,
) -> EntryPointDict:
    """Entry points for ``setup(entry_points=...)`` in a ``setup.py``, plus ``merge``.

    Building from an unpacked source distribution, the entry points it carries (its egg-info's
    ``plux.json``, else ``entry_points.txt``) are used, so the plugin code need not be importable
    there; otherwise the plugins below ``where`` are discovered.

    :raises ValueError: if an entry of ``merge`` is not ``name = value``.
    """
    project = Project(os.getcwd())
    index = _shipped_entry_points(project)
    if index is None:
        index = _find_index(where, exclude, include)
    extra, errors = read_entry_point_table(merge or {}, "merge")
    if errors:
        raise ValueError("\n".join(errors))
    for group, entries in extra.items():
        for name, value in entries.items():
            index.setdefault(group, {}).setdefault(name, value)
    return entry_point_strings(index)


def _shipped_entry_points(project: Project) -> EntryPointTable | None:
    """The entry points an unpacked sdist carries: its ``plux.json``, else its egg-info's
    ``entry_points.txt`` (an sdist built by plux 1.x)."""
    shipped = project.shipped_index()
    if shipped is not None:
        return read_index_file(shipped)
    for egg_info in project.egg_info_dirs() if project.is_sdist() else []:
        if (egg_info / "entry_points.txt").is_file():
            return read_index_file(egg_info / "entry_points.txt")
    return None


__all__ = [
    "load_entry_points",
    "find_plugins",
    "PackagePathPluginFinder",
    "write_plux_index",
    "plugins",
]
