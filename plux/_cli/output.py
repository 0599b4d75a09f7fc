"""How the reporting commands print: ``--json`` documents (their shapes) and plain-text tables.

Every command prints exactly one JSON document on stdout with ``--json`` (UTF-8, two-space
indent, keys in the order shown), errors included, with the exit status it has without
``--json``: :data:`PROBLEM` (1) or :data:`USAGE` (2). Keys are only ever added, never renamed or
removed; ``null`` stands for "not known". The shapes, with ``...`` for repetition:

Any command that fails::

    {"error": {"kind": "no-namespace",   # usage, no-project, no-namespace, no-workdir, project,
                                         # index-file, error
               "message": "no installed plugin namespace matches 'demo.cly'; ...",
               "status": 2,
               "matches": ["demo.cli"]}}   # no-namespace only: close installed namespaces

``plux list [NAMESPACE ...] [--all] --json``::

    {"namespaces": [
      {"namespace": "demo.cli",
       "plugins": [
         {"name": "hello",                # the plugin's name (the declared one, see below)
          "entry_point": "hello",         # the entry point's own name
          "value": "demo_addon.cli:Hello",
          "distribution": "demo-addon",   # null only for metadata without a name
          "version": "1.0",
          "active": true,                 # false: shadowed by another plugin of that name,
                                          #   or switched off
          "disabled": null,               # why PLUX_ENABLE/PLUX_DISABLE switch it off
          "conflict": null}, ...]}, ...]} # the conflict of its name, in the manager's words

``plux doctor [NAMESPACE ...] [--all] --json``::

    {"ok": false,                          # true when there is no finding of a problem
     "problems": 2,
     "findings": [
       {"kind": "import-error",            # see plux._cli.doctor_command.FINDING_KINDS
        "namespace": "demo.cli", "name": "broken", # null for a finding about no one plugin;
        "value": "demo_addon.broken:Broken",       # for a conflict: the entry point that wins
        "distribution": "demo-addon", "version": "1.0",
        "message": "ModuleNotFoundError: No module named 'missing'",
        "location": null}, ...],           # a file (line) the finding is about, when there is one
     "plugins": [
       {"namespace": "demo.cli", "name": "hello", "value": "demo_addon.cli:Hello",
        "distribution": "demo-addon", "version": "1.0",
        "status": "ok",                    # "ok", "disabled" (should_load() is false, or
                                           #   switched off) or a kind
        "import_ms": 1.234, "init_ms": 0.012,   # null for steps that did not run
        "module": "demo_addon.cli",        # its module, and what importing it cost (measured
        "module_import_ms": 1.234,         # on its first plugin, shared by all of them)
        "disabled_reason": null}, ...]}    # why PLUX_ENABLE/PLUX_DISABLE switch it off

``plux resolve NAMESPACE ... --json``::

    {"namespace": "demo.cli",                # the one namespace resolved, else null
     "namespaces": ["demo.cli"],
     "plugins": [
       {"namespace": "demo.cli", "name": "hello", "entry_point": "hello",
        "value": "demo_addon.cli:Hello",
        "distribution": "demo-addon", "version": "1.0",
        "spec": {"namespace": "demo.cli", "name": "hello",
                 "factory": "demo_addon.cli:Hello"},   # null when the entry point did not
                                                       # resolve, and for a tool's entry point
        "file": "/site/demo_addon/cli.py",             # the factory's source file, or null
        "error": null}, ...]}                          # "Type: message" when it did not resolve

``plux show --json``::

    {"project": "/path/to/project", "backend": "setuptools",   # or "hatchling", or null
     "config": {"path": ".", "include": [], "exclude": [],
                "entrypoint_build_mode": "build-hook", "entrypoint_static_file": "plux.ini"},
     "index": "/path/to/project/demo.egg-info/plux.json",      # the file read, or null
     "entry_points": {"demo.cli": {"hello": "demo.cli:Hello"}, ...}}

``plux entrypoints --json``::

    {"index": "plux.ini",                  # the file written, or null (hatchling keeps none)
     "written": true,                      # false: it already held this index
     "entry_points": {"demo.cli": {"hello": "demo.cli:Hello"}, ...},
     "editable_installs": ["/site/demo-1.0.dist-info", ...],   # the ones updated
     "notes": []}

``plux discover --json``::

    {"project": "/path/to/project", "output": null,   # the -o FILE written, or null
     "format": null,                                  # the format of that FILE, or null
     "entry_points": {"demo.cli": {"hello": "demo.cli:Hello"}, ...}}

``plux index build --json``::

    {"index": "/venv/share/plux/entry-points.cpython-311.index",
     "distributions": 12, "entry_points": 40,
     "path": ["/venv/lib/python3.11/site-packages", ...]}    # the path entries indexed

``plux index status --json``::

    {"in_use": false, "index": "/venv/share/plux/entry-points.cpython-311.index",
     "reason": "no prebuilt index at /venv/..."}              # null when in use

``plux entrypoints --check --json``::

    {"ok": false, "index": "plux.ini",   # the file compared (relative), null when there is none
                                         # to compare (build-hook mode: the build discovers)
     "missing": [{"group": "demo.cli", "name": "new", "value": "demo.cli:New"}, ...],
     "extra": [{"group": ..., "name": ..., "value": ...}, ...],
     "different": [{"group": ..., "name": ..., "value": "in code", "recorded": "in index"}, ...]}
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

USAGE = 2
"""Exit status of a command that cannot do its job as asked: a usage error, no project here, a
namespace pattern that matches nothing, a ``--workdir`` that does not exist."""
PROBLEM = 1
"""Exit status of a command that ran and found a problem: a failed check, a plugin that does not
resolve, a finding of ``doctor``, a project whose configuration or source cannot be read."""


class CommandError(Exception):
    """A failure the user can act on: printed as one line on stderr, exit status :attr:`status`.

    ``kind`` names the failure in the ``--json`` error document; ``details`` adds its fields
    (``{"matches": [...]}`` for close matches).
    """

    def __init__(
        self,
        message: str,
        status: int = USAGE,
        kind: str = "usage",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.details = details or {}


def error_document(kind: str, message: str, status: int, **details: Any) -> dict[str, Any]:
    """The ``--json`` document of a failure (shape in this module's docstring)."""
    return {"error": {"kind": kind, "message": message, "status": status, **details}}


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` flag of a reporting command."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document instead (its shape: docs/reference.md, '--json documents')",
    )


def print_json(document: Any, out: TextIO | None = None) -> None:
    """Write ``document`` as one JSON document (keys in insertion order, not sorted)."""
    stream = out if out is not None else sys.stdout
    stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Lines of ``rows`` with every column but the last padded to its widest cell."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        cells = [*padded, row[-1]]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def plural(count: int, word: str) -> str:
    """``1 plugin``, ``2 plugins``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def milliseconds(seconds: float | None) -> float | None:
    """A duration in milliseconds, rounded to microseconds (what the JSON documents hold)."""
    return None if seconds is None else round(seconds * 1000.0, 3)


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line.

    >>> describe_error(ValueError("no\\n  good"))
    'ValueError: no good'
    """
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
