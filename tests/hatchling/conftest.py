"""Session fixtures of the hatchling integration tests (see ``tests/integration_support.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


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
    """The session's venv with plux and hatchling, setuptools, build, wheel and pip."""
    return support.tool_venv(tmp_path_factory.getbasetemp())
