"""Runs ``python -m plux`` in a fresh interpreter that sees only a throwaway site and plux."""

from __future__ import annotations

import json
import os
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
