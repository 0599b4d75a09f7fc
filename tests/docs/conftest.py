"""Makes the helpers of the docs tests importable as ``docs_pages`` and ``docs_sessions``
(loaded by path, as ``tests/conftest.py`` loads ``integration_support``)."""

from __future__ import annotations

from pathlib import Path

from ..conftest import load_support

load_support("docs_pages", Path(__file__).resolve().parent)
load_support("docs_sessions", Path(__file__).resolve().parent)
