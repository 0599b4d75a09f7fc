"""Fixtures for the hardening tests: in-process caches, small or read-only file systems."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plux.runtime.cache import EntryPointsCache

from ..conftest import PythonRunner

GROUP = "hard.plugins"
"""The entry point group every hardening site registers its plugins in."""

CacheFactory = Callable[..., EntryPointsCache]
"""What the ``make_cache`` fixture (``tests/conftest.py``) is."""


def entry_names(cache: EntryPointsCache, group: str = GROUP) -> list[str]:
    """The entry point names of ``group`` as ``cache`` hands them out, sorted (distributions in
    one folder come in its listing order, which test_importlib_parity.py covers)."""
    return sorted(ep.name for ep in cache.entry_points_of(group))


def _mount(*args: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    proc = subprocess.run(["mount", *args], capture_output=True, check=False)
    return proc.returncode == 0


class Mount:
    """A tmpfs mounted for one test (mode 0700, so that plux trusts it as its cache folder)."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        path.mkdir(mode=0o700)
        if not _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)):
            path.rmdir()
            pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN) and mount(8)")

    def read_only(self) -> None:
        """Remount read-only: even root can then write nothing there."""
        if not _mount("-o", "remount,ro", str(self.path)):
            pytest.fail(f"could not remount {self.path} read-only")

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Mount]:
    """A 256 KiB file system for the cache: one that fills up (skipped where mounting is denied)."""
    mount = Mount(tmp_path / "small-disk", "256k")
    yield mount
    mount.unmount()


@pytest.fixture
def fill_disk() -> Callable[[Path], Path]:
    """Fills the file system holding a folder with one file until writing fails (ENOSPC)."""

    def fill(directory: Path) -> Path:
        filler = directory / "filler"
        with open(filler, "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 1024)
            except OSError:
                pass
        return filler

    return fill


JsonRunner = Callable[[str], object]


@pytest.fixture
def run_json(python: PythonRunner, tmp_path: Path) -> JsonRunner:
    """Like ``python.json``, but started in the test's own folder: with ``''`` on ``sys.path``
    the working directory is part of the index, and the shared checkout changes under us."""

    def run(code: str) -> object:
        proc = subprocess.run(
            [sys.executable, "-s", "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            env=python.environ(),
            cwd=tmp_path,
            timeout=120,
        )
        if proc.returncode != 0:
            pytest.fail(f"subprocess failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    return run
