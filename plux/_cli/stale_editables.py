"""Stale editable installs: an editable install whose entry points no longer match its source.

An editable install (PEP 660, or ``setup.py develop``) runs the project's code from its folder,
but its entry points were written when it was installed. It is stale when a source file is newer
than the entry points the run time reads *and* discovery on the source now gives other entry
points; ``plux entrypoints`` in the project (or a reinstall) brings it up to date.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from plux.build.index import read_index_file
from plux.build.project import INDEX_FILE, Project
from plux.core._entry_points_text import entry_point_table
from plux.core.entrypoint import EntryPoint
from plux.runtime._distributions import entry_points_file, read_distribution_entry_points
from plux.runtime.cache import IndexedEntryPoint

from .index_diff import compare_index
from .namespaces import select_groups
from .output import describe_error
from .project_discovery import discover_index

_SKIP_DIRS = {"__pycache__", "build", "dist", "node_modules", "site-packages"}


def stale_editables(
    rows: Sequence[IndexedEntryPoint],
) -> list[tuple[IndexedEntryPoint, str, str]]:
    """Editable installs among the distributions of ``rows`` whose entry points (what the run
    time reads) are older than the project's source and no longer match its plugins: for each,
    one of its entry points, what is wrong, and the newest source file."""
    findings = []
    for path in dict.fromkeys(row.path for row in rows):
        project = editable_project(path)
        if project is None:
            continue
        index = entry_points_file(path)
        try:
            index_mtime = os.stat(index).st_mtime_ns
        except OSError:
            continue
        newest = newest_source(project)
        if newest is None or newest[0] <= index_mtime:
            continue
        # The source changed since: only a change of plugins makes the install stale.
        difference = rediscovered_difference(project, path)
        if difference is None:
            continue
        row = next(r for r in rows if r.path == path)
        message = (
            f"editable install of {row.distribution} {row.version}: its entry points ({index}) "
            f"are older than {newest[1]} and {difference}; run 'python -m plux entrypoints' in "
            f"{project}, or reinstall it"
        )
        findings.append((row, message, newest[1]))
    return findings


def rediscovered_difference(project: str, dist_path: str) -> str | None:
    """How the plugins discovered in ``project`` now differ from those installed at
    ``dist_path`` (None if they do not)."""
    try:
        discovered = discover_index(Project(project))
    except Exception as e:
        return f"discovering its plugins now fails ({describe_error(e)})"
    try:
        installed = read_index_file(Path(dist_path, INDEX_FILE))
    except (OSError, ValueError):
        # No record of what plux wrote: compare the plugin namespaces of entry_points.txt.
        lines, _ = read_distribution_entry_points(dist_path)
        groups = set(select_groups({group for group, _, _ in lines}, [], False))
        installed = entry_point_table(EntryPoint(n, v, g) for g, n, v in lines if g in groups)
    diff = compare_index(installed, discovered)
    if diff.ok:
        return None
    parts = [
        f"{ep.name!r} in {ep.group!r} is {what}"
        for what, eps in (("missing", diff.missing), ("no longer in the code", diff.extra))
        for ep in eps
    ] + [f"{ep.name!r} in {ep.group!r} moved to {ep.value}" for ep, _ in diff.different]
    return "; ".join(parts)


def editable_project(dist_path: str) -> str | None:
    """The project folder of an editable install, or None for an ordinary one.

    Wheels installed editable (PEP 660) say so in ``direct_url.json`` (PEP 610); an ``.egg-info``
    folder that is not inside ``site-packages`` is a ``setup.py develop`` checkout.
    """
    try:
        with open(os.path.join(dist_path, "direct_url.json"), encoding="utf-8") as fh:
            direct_url = json.load(fh)
    except (OSError, ValueError):
        direct_url = None
    if isinstance(direct_url, dict):
        dir_info = direct_url.get("dir_info")
        url = direct_url.get("url")
        if isinstance(dir_info, dict) and dir_info.get("editable") and isinstance(url, str):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                return unquote(parsed.path)
        return None
    parent = os.path.dirname(os.path.abspath(dist_path))
    if dist_path.endswith(".egg-info") and os.path.basename(parent) not in _SKIP_DIRS:
        return parent
    return None


def newest_source(project: str) -> tuple[int, str] | None:
    """The newest ``.py`` file below ``project`` (its mtime in ns and path), skipping hidden,
    build and cache folders and virtual environments."""
    newest: tuple[int, str] | None = None
    for folder, dirs, files in os.walk(project):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not d.endswith(".egg-info")
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        ]
        for name in files:
            if name.endswith(".py"):
                file = os.path.join(folder, name)
                try:
                    mtime = os.stat(file).st_mtime_ns
                except OSError:
                    continue
                if newest is None or mtime > newest[0]:
                    newest = (mtime, file)
    return newest
