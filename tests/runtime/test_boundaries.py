"""Who imports whom: the run time and the build side meet only through ``plux.core``, and no
module of plux imports plux 1.16's facade ``plux.runtime.metadata``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import plux

ROOT = Path(plux.__file__).parent


def imports(file: Path) -> Iterator[str]:
    """The modules ``file`` imports, at any time (inside functions and TYPE_CHECKING too)."""
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_plux_module_imports_the_116_facade():
    """No module of plux imports ``plux.runtime.metadata`` (it only re-exports for 1.16's
    callers)."""
    importers = [
        str(file.relative_to(ROOT))
        for file in ROOT.rglob("*.py")
        if file != ROOT / "runtime" / "metadata.py"
        and "plux.runtime.metadata" in set(imports(file))
    ]
    assert importers == []


def test_run_time_and_build_side_meet_only_through_core():
    """``plux.runtime`` never imports ``plux.build``, nor ``plux.build`` ``plux.runtime``: each
    half sees the other's contract in ``plux.core`` only (the editable update changes an
    installed ``entry_points.txt``, whose stamp every warm process checks)."""
    crossing = []
    for half, other in (("runtime", "plux.build"), ("build", "plux.runtime")):
        for file in (ROOT / half).rglob("*.py"):
            if any(m == other or m.startswith(other + ".") for m in imports(file)):
                crossing.append(str(file.relative_to(ROOT)))
    assert crossing == []
