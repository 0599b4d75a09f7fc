"""Installed distributions of the project in the working directory that lack plugins its source
declares: what ``plux doctor`` run in a project adds (the mark of a build without plux 2)."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import NamedTuple

from plux.build.config import ConfigError
from plux.build.discovery import DiscoveryError
from plux.build.project import Project
from plux.core._entry_points_text import entry_point_table

from .index_diff import compare_index
from .project_discovery import discover_index, find_project_root

LIKELY_CAUSE = "built without plux 2 (is plux>=2.0.0.dev0 in build-system.requires?)"


class UnbuiltInstall(NamedTuple):
    """An installed distribution of the project whose entry points lack declared plugins."""

    distribution: str
    version: str
    message: str
    location: str


def unbuilt_install(patterns: Sequence[str]) -> UnbuiltInstall | None:
    """The installed distribution of the project here (found from the working directory up), if
    its entry points lack plugins that discovery finds in the project's source (in the namespaces
    matching ``patterns``, or in all of them)."""
    root = find_project_root()
    if root is None:
        return None
    try:
        project = Project(root)
        name = project.name
        declared = discover_index(project) if name is not None else {}
    except (ConfigError, DiscoveryError):
        return None  # a project that cannot be read: `plux show` or a build says why
    if name is None or not declared:
        return None
    try:
        installed = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    recorded = entry_point_table(installed.entry_points)
    missing = [
        ep
        for ep in compare_index(recorded, declared).missing
        if not patterns or any(fnmatchcase(ep.group, p) for p in patterns)
    ]
    if not missing:
        return None
    version = installed.version
    listed = ", ".join(f"[{ep.group}] {ep.name} = {ep.value}" for ep in missing)
    message = (
        f"the installed {name} {version} lacks {len(missing)} plugin(s) its source in {root} "
        f"declares ({listed}): {LIKELY_CAUSE}; rebuild and reinstall it"
    )
    return UnbuiltInstall(installed.metadata["Name"] or name, version, message, str(root))
