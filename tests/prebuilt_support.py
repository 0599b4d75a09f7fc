"""A real virtual environment for the tests of the prebuilt index (the index in the prefix).

The prebuilt index lives in ``<sys.prefix>/share/plux/``, so every test gets a venv of its own
(a copy of one made by ``python -m venv --without-pip``) that sees this checkout through a
``.pth`` line, as an installed plux would be seen, with the test's site on ``PYTHONPATH`` and a
private user cache folder. Test modules load this file by path (the tests folder is not on
``sys.path``) and take :func:`environment` as a fixture.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import plux
from plux.runtime._index_file import Header, decode_file
from plux.runtime._index_write import encode_file

PROJECT_ROOT = Path(plux.__file__).resolve().parent.parent
GROUP = "prebuilt.plugins"

NAMES = f"""
import json
from plux import PluginManager
print(json.dumps(sorted(PluginManager({GROUP!r}).list_names())))
"""

COUNTING_READS = f"""
import json, runpy
reads = runpy.run_path({str(Path(__file__).with_name("metadata_reads.py"))!r})["count"]()
from plux import PluginManager
print(json.dumps([sorted(PluginManager({GROUP!r}).list_names()), len(reads)]))
"""
"""Prints the plugin names of :data:`GROUP` and how many metadata reads answering took."""


@dataclass
class Environment:
    """A venv whose interpreter sees plux and a site of test distributions."""

    prefix: Path
    site: Any  # the test's SiteBuilder
    cache_dir: Path
    workdir: Path
    extra_path: list[Path] = field(default_factory=list)
    """Folders on ``PYTHONPATH`` after the site (a path other than the build's)."""

    @property
    def python(self) -> Path:
        return self.prefix / "bin" / "python"

    @property
    def index_file(self) -> Path:
        """Where ``plux index build`` writes (the interpreter is this one, so is its tag)."""
        tag = sys.implementation.cache_tag
        return self.prefix / "share" / "plux" / f"entry-points.{tag}.index"

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON"))}
        env["PYTHONPATH"] = os.pathsep.join(map(str, [self.site.path, *self.extra_path]))
        env["PLUX_CACHE_DIR"] = str(self.cache_dir)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONNOUSERSITE"] = "1"  # the same path for every process, whoever runs it
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the venv's python with ``args`` in an empty working directory."""
        return subprocess.run(
            [str(self.python), *args],
            capture_output=True,
            text=True,
            env=self.environ(),
            cwd=self.workdir,
            timeout=120,
        )

    def plux(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``python -m plux ARGS``, as a Dockerfile's ``RUN`` line runs it."""
        return self.run("-m", "plux", *args)

    def build(self) -> None:
        """``python -m plux index build``, which must succeed; then an empty user cache, as a
        fresh container has."""
        proc = self.plux("index", "build")
        assert proc.returncode == 0, proc.stderr
        self.clear_user_cache()

    def clear_user_cache(self) -> None:
        for name in os.listdir(self.cache_dir):
            os.remove(self.cache_dir / name)

    def json(self, code: str) -> Any:
        """Run ``code`` (which prints one JSON document last) and return the document."""
        proc = self.run("-c", textwrap.dedent(code))
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def status(self) -> dict[str, Any]:
        """``plux index status --json``, with its exit status under ``"exit"``."""
        proc = self.plux("index", "status", "--json")
        document: dict[str, Any] = json.loads(proc.stdout)
        return {**document, "exit": proc.returncode}

    def user_index_files(self) -> list[str]:
        return os.listdir(self.cache_dir)


@functools.cache
def _venv_template() -> Path:
    """A venv made once per test process: each test's venv is a copy of it (``python -m venv``
    takes a fresh interpreter and most of a tenth of a second)."""
    folder = Path(tempfile.mkdtemp(prefix="plux-tests-venv-"))
    atexit.register(shutil.rmtree, folder, True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
    return folder / "venv"


def make_environment(root: Path, site: Any, cache_dir: Path) -> Environment:
    """Create the venv under ``root`` (plux seen through a ``.pth`` line naming this checkout)."""
    prefix = root / "venv"
    shutil.copytree(_venv_template(), prefix, symlinks=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    Path(purelib, "plux-tree.pth").write_text(f"{PROJECT_ROOT}\n")
    workdir = root / "work"
    workdir.mkdir()
    return Environment(prefix, site, cache_dir, workdir)


@pytest.fixture
def environment(tmp_path: Path, site_builder: Any, cache_dir: Path) -> Environment:
    """A fresh venv over ``site_builder``'s site with ``cache_dir`` as the user's cache."""
    return make_environment(tmp_path, site_builder, cache_dir)


def reencode_header(data: bytes, change: Callable[[Header], Header], magic: int = -1) -> bytes:
    """An index file's bytes with its header passed through ``change`` (and its format byte set
    to ``magic``, unless -1)."""
    decoded = decode_file(data)
    assert decoded is not None, "not an index file of this format"
    header, body = decoded
    again = b"".join(encode_file(change(header), [bytes(body)]))
    return again if magic < 0 else again[:7] + bytes((magic,)) + again[8:]
