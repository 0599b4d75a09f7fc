"""Fixtures for the entry point index tests: a second site, sorted names, stamp edits."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from plux.runtime.cache import EntryPointsCache


@pytest.fixture
def second_site(site_builder, tmp_path):
    """Another empty site directory, for distributions further down the path."""
    path = tmp_path / "site-2"
    path.mkdir()
    return type(site_builder)(path)


@pytest.fixture
def names() -> Callable[[EntryPointsCache, str], list[str]]:
    """Gives the entry point names of a group, sorted (distributions in one folder come in its
    listing order, which test_importlib_parity.py covers)."""
    return lambda cache, group: sorted(ep.name for ep in cache.entry_points_of(group))


@pytest.fixture
def same_second() -> Callable[[Path], Callable[[], None]]:
    """Remembers a path's times; calling the result puts them back (a change that leaves the
    mtime as it was, as one made within the file system's timestamp granularity does)."""

    def remember(path: Path) -> Callable[[], None]:
        st = path.stat()
        return lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    return remember


@pytest.fixture
def import_log(tmp_path, python) -> Path:
    """A file that plugin modules written to log their import append their name to (its path
    is in their process's ``IMPORT_LOG``)."""
    log = tmp_path / "imports.log"
    log.write_text("")
    python.env["IMPORT_LOG"] = str(log)
    return log
