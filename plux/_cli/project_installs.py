"""What ``plux doctor`` adds when run in a project: a build configuration that may run without
plux 2, and installed distributions of the project that lack plugins its source declares (the
mark of such a build)."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import NamedTuple

from plux.build.config import PYPROJECT, ConfigError
from plux.build.discovery import DiscoveryError
from plux.build.project import Project
from plux.core._entry_points_text import entry_point_table

from .index_diff import compare_index
from .project_discovery import discover_index, find_project_root

LIKELY_CAUSE = "built without plux 2 (is plux>=2.0.0.dev0 in build-system.requires?)"


class ProjectFinding(NamedTuple):
    """A problem of the project here, or of its installed distribution."""

    kind: str
    message: str
    location: str
    distribution: str | None = None
    version: str | None = None


def project_findings(patterns: Sequence[str]) -> list[ProjectFinding]:
    """The problems of the project the working directory belongs to (none outside a project):
    ``build-requirement`` when its builds may run without plux 2, ``not-installed`` when it has
    no installed distribution, ``unbuilt-plugins`` when its installed distribution lacks plugins
    its source declares (in the namespaces matching ``patterns``, or in any)."""
    root = find_project_root()
    if root is None:
        return []
    try:
        project = Project(root)
        declared = discover_index(project) if project.name is not None else {}
    except (ConfigError, DiscoveryError):
        return []  # a project that cannot be read: `plux show` or a build says why
    findings = []
    mistake = project.missing_build_requirement()
    if mistake is not None:
        findings.append(ProjectFinding("build-requirement", mistake, str(root / PYPROJECT)))
    unbuilt = _unbuilt_install(project, declared, patterns)
    return findings if unbuilt is None else [*findings, unbuilt]


def _unbuilt_install(
    project: Project, declared: dict[str, dict[str, str]], patterns: Sequence[str]
) -> ProjectFinding | None:
    if project.name is None:
        return None
    try:
        installed = importlib.metadata.distribution(project.name)
    except importlib.metadata.PackageNotFoundError:
        message = (
            f"the project {project.name} in {project.root} is not installed in this environment "
            f"({sys.prefix}), so its plugins were not checked; install it (pip install -e .) "
            "or run plux doctor with the environment's own python"
        )
        return ProjectFinding("not-installed", message, str(project.root), project.name)
    if not declared:
        return None
    recorded = entry_point_table(installed.entry_points)
    missing = [
        ep
        for ep in compare_index(recorded, declared).missing
        if not patterns or any(fnmatchcase(ep.group, p) for p in patterns)
    ]
    if not missing:
        return None
    name, version = installed.metadata["Name"] or project.name, installed.version
    listed = ", ".join(f"[{ep.group}] {ep.name} = {ep.value}" for ep in missing)
    message = (
        f"the installed {name} {version} lacks {len(missing)} plugin(s) its source in "
        f"{project.root} declares ({listed}): {LIKELY_CAUSE}; rebuild and reinstall it"
    )
    return ProjectFinding("unbuilt-plugins", message, str(project.root), name, version)
