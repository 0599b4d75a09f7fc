"""Session fixtures of the hatchling integration tests (see ``tests/integration_support.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from integration_support import Venv, tool_venv  # noqa: E402


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The session's venv with plux and hatchling, setuptools, build, wheel and pip."""
    return tool_venv(tmp_path_factory.getbasetemp())
