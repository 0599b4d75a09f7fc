"""Finding a module's source without importing it agrees with what importing it would run."""

from __future__ import annotations

import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from plux.build._sources import SourceLocator
from plux.core._module_source import find_module_source


def imported_file(module: str, path: list[str]) -> str:
    """The file that importing ``module`` with ``path`` as ``sys.path`` runs (a fresh process)."""
    code = f"import sys; sys.path[:0] = {path!r}; import {module} as m; print(m.__file__)"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_a_regular_package_wins_over_an_earlier_namespace_portion(tmp_path: Path) -> None:
    """``pkg/`` without ``__init__.py`` early on the path loses to a regular ``pkg`` later."""
    (tmp_path / "a" / "pkg").mkdir(parents=True)
    (tmp_path / "a" / "pkg" / "mod.py").write_text("")
    (tmp_path / "b" / "pkg").mkdir(parents=True)
    (tmp_path / "b" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "b" / "pkg" / "mod.py").write_text("")
    path = [str(tmp_path / "a"), str(tmp_path / "b")]
    assert find_module_source("pkg.mod", path) == imported_file("pkg.mod", path)
    assert find_module_source("pkg.mod", path) == str(tmp_path / "b" / "pkg" / "mod.py")


def test_an_extension_module_beside_a_source_file_is_what_imports(tmp_path: Path) -> None:
    """In one folder the path finder tries extension modules first: no source is read."""
    (tmp_path / f"fast{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (tmp_path / "fast.py").write_text("")
    assert find_module_source("fast", [str(tmp_path)]) is None


def test_the_build_reads_the_source_the_run_time_would(tmp_path: Path) -> None:
    """The static finder's lookup of installed modules uses the same rules."""
    (tmp_path / "a" / "lib").mkdir(parents=True)
    (tmp_path / "a" / "lib" / "base.py").write_text("# a namespace portion, shadowed\n")
    (tmp_path / "b" / "lib").mkdir(parents=True)
    (tmp_path / "b" / "lib" / "__init__.py").write_text("")
    (tmp_path / "b" / "lib" / "base.py").write_text("")
    (tmp_path / "b" / f"fast{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (tmp_path / "b" / "fast.py").write_text("")
    locator = SourceLocator([], [str(tmp_path / "a"), str(tmp_path / "b")])
    found = locator.find("lib.base")
    assert found is not None and found.path == tmp_path / "b" / "lib" / "base.py"
    assert locator.find("fast") is None
