"""Fixtures for build-time tests: throwaway project trees written from ``{path: source}``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ProjectFactory = Callable[[Mapping[str, str]], Path]


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Writes files (sources dedented) below a fresh project directory and returns it."""

    def make(files: Mapping[str, str]) -> Path:
        root = tmp_path / "project"
        for relpath, text in files.items():
            target = root / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text))
        root.mkdir(exist_ok=True)
        return root

    return make
