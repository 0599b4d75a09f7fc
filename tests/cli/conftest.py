"""Runs ``python -m plux`` in a fresh interpreter that sees only a throwaway site and plux."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
def plux_cli(python: Any) -> PluxCli:
    """``plux_cli("list", "--json", cwd=...)`` runs ``python -m plux`` with the test's site.

    ``-S`` keeps the test run's own site-packages (and the distributions installed there) out.
    """

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-S", "-m", "plux", *args],
            capture_output=True,
            text=True,
            env=python.environ(),
            cwd=cwd,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's venv with plux and the build tools (``tests/integration_support.py``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from integration_support import tool_venv

    return tool_venv(tmp_path_factory.getbasetemp())
