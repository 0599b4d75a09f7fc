"""Runs ``python -m plux`` in a fresh interpreter that sees only a throwaway site and plux."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


PluxCli = Callable[..., CliResult]


@pytest.fixture
def plux_cli(python: Any, tmp_path: Path) -> PluxCli:
    """``plux_cli("list", "--json", cwd=...)`` runs ``python -m plux`` with the test's site.

    ``-S`` keeps the test run's own site-packages (and the distributions installed there) out.
    """
    vendor: list[str] = []
    if sys.version_info < (3, 11):
        # Without site-packages, 3.10 has no TOML parser: lend it the one pip vendors.
        import pip._vendor.tomli as tomli

        (tmp_path / "vendor").mkdir()
        (tmp_path / "vendor" / "tomli").symlink_to(Path(tomli.__file__).parent)
        vendor.append(str(tmp_path / "vendor"))

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        # The environment is read at each call: tests add sites and variables as they go.
        env = python.environ()
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *vendor])
        proc = subprocess.run(
            [sys.executable, "-S", "-m", "plux", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


def _load_integration_support() -> ModuleType:
    """``tests/integration_support.py`` as the module ``integration_support`` (loaded once; the
    tests folder is not put on ``sys.path``, where its sub-folders would shadow packages)."""
    name = "integration_support"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


support = _load_integration_support()


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's venv with plux and the build tools (``tests/integration_support.py``)."""
    return support.tool_venv(tmp_path_factory.getbasetemp())
