"""What a type checker sees of plux's typed API: the example files here pass mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.integration  # mypy is a tool of the full suite, not of the unit runs
def test_a_manager_bound_to_a_base_gives_that_type_to_the_type_checker() -> None:
    """mypy sees Command from load, load_all, load_first and call_all of for_base(Command)."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version",
            "3.11",
            "--no-incremental",
            str(HERE / "typed_namespaces.py"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
