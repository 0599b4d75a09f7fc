"""Bringing editable installs of a project up to date after its plugins changed, no reinstall.

``pip install -e .`` copies the entry points into the ``.dist-info`` directory in site-packages;
nothing links it back to the source. When discovery runs again, plux finds the installed
distributions that are editable installs of the project (PEP 610 ``direct_url.json``), and rewrites
the plux part of their ``entry_points.txt`` (and its line in ``RECORD``). The index that went in
is kept beside it as ``plux.json``, so the next update knows which entries plux wrote.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlparse

from plux.core._entry_points_text import (
    EntryPointTable,
    entry_point_table,
    read_entry_points_text,
    serialize_entry_point_table,
)

from .index import read_index_file, render_index
from .project import INDEX_FILE

LOG = logging.getLogger(__name__)

ENTRY_POINTS = "entry_points.txt"


def editable_installs(project_root: str | Path, search_path: list[str]) -> list[Path]:
    """The ``.dist-info`` directories on ``search_path`` that are editable installs of ``root``."""
    root = Path(project_root).resolve()
    found: list[Path] = []
    for entry in dict.fromkeys(search_path):
        directory = Path(entry or ".")
        if not directory.is_dir():
            continue
        for dist_info in sorted(directory.glob("*.dist-info")):
            if _editable_source(dist_info) == root:
                found.append(dist_info)
    return found


def _editable_source(dist_info: Path) -> Path | None:
    try:
        data = json.loads((dist_info / "direct_url.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("dir_info", {}).get("editable"):
        return None
    url = urlparse(str(data.get("url", "")))
    if url.scheme != "file":
        return None
    return Path(unquote(url.path)).resolve()


def update_editable_install(
    dist_info: Path,
    index: Mapping[str, Mapping[str, str]],
    previous: Mapping[str, Mapping[str, str]] | None = None,
) -> bool:
    """Replace the plux-written entries of ``dist_info`` with ``index``; True if anything changed.

    Entries plux wrote before are known from the ``plux.json`` kept in ``dist_info`` (or from
    ``previous``, e.g. the old ``plux.ini`` of a manual-mode project). Entries the project
    declares itself keep their order (the order ``load_all`` follows) and text; new ones follow.
    A line the run time skips is skipped here too, with a warning.
    """
    entry_points_file = dist_info / ENTRY_POINTS
    current, errors = read_entry_points_text(_read(entry_points_file), str(entry_points_file))
    for error in errors:
        LOG.warning("plux: skipping a malformed entry point line: %s", error)
    new = index
    kept_index = dist_info / INDEX_FILE
    old = read_index_file(kept_index) if kept_index.is_file() else (previous or {})
    written = {(g, n, v) for g, entries in old.items() for n, v in entries.items()}
    merged: EntryPointTable = {}
    for ep in current:
        if (ep.group, ep.name, ep.value) not in written:
            value = new.get(ep.group, {}).get(ep.name, ep.value)  # a discovered plugin wins
            merged.setdefault(ep.group, {}).setdefault(ep.name, value)
    for group, entries in new.items():
        for name, value in entries.items():
            merged.setdefault(group, {}).setdefault(name, value)
    text = serialize_entry_point_table(merged)
    kept_text = render_index(new, "json")
    if text == serialize_entry_point_table(entry_point_table(current)) and (
        _read(kept_index) == kept_text
    ):
        return False
    entry_points_file.write_text(text)
    kept_index.write_text(kept_text)
    # Nothing else to mark: a warm process stamps every distribution's entry_points.txt.
    _update_record(dist_info, [entry_points_file, kept_index])
    return True


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _update_record(dist_info: Path, changed: list[Path]) -> None:
    """Give the changed files their right hash and size in ``RECORD`` (added if missing)."""
    record = dist_info / "RECORD"
    if not record.is_file():
        return
    site = dist_info.parent
    rows = [row for row in csv.reader(io.StringIO(record.read_text())) if row]
    by_path = {row[0]: index for index, row in enumerate(rows)}
    for path in changed:
        data = path.read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        relative = os.path.relpath(path, site).replace(os.sep, "/")
        row = [relative, f"sha256={digest}", str(len(data))]
        if relative in by_path:
            rows[by_path[relative]] = row
        else:
            rows.insert(max(len(rows) - 1, 0), row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    record.write_text(out.getvalue())
