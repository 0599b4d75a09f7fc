"""Makes the helpers of the docs tests importable as ``docs_pages`` and ``docs_sessions``.

The tests folder is not on ``sys.path`` (its sub-folders would shadow real packages), so the
helper modules are loaded by path, as ``tests/conftest.py`` does for ``integration_support``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load(name: str) -> None:
    path = Path(__file__).resolve().parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load("docs_pages")
_load("docs_sessions")
