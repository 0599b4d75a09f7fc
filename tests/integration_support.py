"""Real environments for integration tests: a wheelhouse per run, a virtual environment per
session (each pytest-xdist worker has its own).

The plux wheel is built from this checkout once per run, next to hatchling, setuptools, build
and pip, into a wheelhouse below pytest's base temporary directory (shared by the workers);
every install after that is offline (``PIP_NO_INDEX`` with the wheelhouse as
``PIP_FIND_LINKS``), isolated builds included. The conftests of several test folders share
them through the same directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLUX_REQUIREMENT = "plux>=2.0.0.dev0"  # the specifier admits plux's own pre-release
TOOLS = ("hatchling", "editables", "setuptools>=77", "build", "wheel", "pip")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(
    command: list[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> Result:
    """Run ``command``; with ``check``, fail the test with its output if it fails."""
    proc = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@contextlib.contextmanager
def taking_turns(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (made if missing): test workers running at once
    take turns."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def wheelhouse(base: Path) -> Path:
    """The run's wheelhouse (built on first use, then reused): below ``base``, pytest's base
    temporary folder, or under pytest-xdist below its parent, which every worker of the run
    shares, so that the wheel is built and the tools downloaded once per run."""
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    house = shared / "wheelhouse"
    done = house / ".complete"
    with taking_turns(shared / "wheelhouse.lock"):
        if not done.exists():
            house.mkdir(exist_ok=True)
            pip = [sys.executable, "-m", "pip"]
            # pip builds the project in its own tree: other runs (sessions) take turns too
            with taking_turns(PROJECT_ROOT / ".cache" / "wheel-build.lock"):
                run([*pip, "wheel", "--no-deps", "-q", "-w", str(house), str(PROJECT_ROOT)])
            run([*pip, "download", "-q", "-d", str(house), *TOOLS])
            done.write_text("")
    return house


@dataclass
class Venv:
    """A virtual environment whose installs come from the wheelhouse only."""

    path: Path
    wheelhouse: Path
    cache_dir: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def script(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PLUX_", "PIP_"))}
        env.update(
            PLUX_CACHE_DIR=str(self.cache_dir),
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=str(self.wheelhouse),
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def run(self, *args: str, cwd: Path | None = None, check: bool = True) -> Result:
        """Run the venv's python with ``args``."""
        return run([self.python, *args], cwd=cwd, env=self.env(), check=check)

    def plux(self, *args: str, cwd: Path | None = None) -> Result:
        """Run the venv's ``plux`` console script (never checked: tests look at the status)."""
        return run([self.script("plux"), *args], cwd=cwd, env=self.env(), check=False)

    def pip(self, *args: str, cwd: Path | None = None, check: bool = True) -> Result:
        """The test run's pip, installing into this venv (which needs no pip of its own)."""
        command = [sys.executable, "-m", "pip", "--python", self.python, "-q", *args]
        return run(command, cwd=cwd, env=self.env(), check=check)

    def entry_points(self, distribution: str) -> dict[str, dict[str, str]]:
        """The installed distribution's entry points, read with importlib.metadata in the venv."""
        code = f"""
            import json, importlib.metadata as md
            eps = {{}}
            for ep in md.distribution({distribution!r}).entry_points:
                eps.setdefault(ep.group, {{}})[ep.name] = ep.value
            print(json.dumps(eps))
        """
        out = self.run("-c", textwrap.dedent(code)).stdout.strip().splitlines()[-1]
        result: dict[str, dict[str, str]] = json.loads(out)
        return result

    def installed(self, distribution: str, namespaces: list[str]) -> Installed:
        """The distribution's entry points, and the plugins a PluginManager loads per namespace."""
        code = f"""
            import json
            from plux import PluginManager
            loaded = {{}}
            for ns in {namespaces!r}:
                plugins = PluginManager(ns).load_all(propagate_exceptions=True)
                loaded[ns] = sorted(p.name for p in plugins)
            print(json.dumps(loaded))
        """
        out = self.run("-c", textwrap.dedent(code)).stdout.strip().splitlines()[-1]
        return Installed(self.entry_points(distribution), json.loads(out))


@dataclass
class Installed:
    entry_points: dict[str, dict[str, str]]
    loaded: dict[str, list[str]]


def fresh_venv(path: Path, house: Path, *requirements: str) -> Venv:
    """A new venv at ``path`` (without pip of its own) with ``requirements`` from ``house``."""
    cache = path.parent / f"{path.name}-plux-cache"
    cache.mkdir(mode=0o700)
    venv = Venv(path, house, cache)
    run([sys.executable, "-m", "venv", "--without-pip", str(path)])
    if requirements:
        venv.pip("install", *requirements)
    return venv


def tool_venv(base: Path) -> Venv:
    """The session's venv below ``base``: plux (from its wheel) and the build tools.

    Tests install their own projects into it under names of their own and never remove
    anything, so one venv serves them all.
    """
    path = base / "tool-venv"
    if (path / ".complete").exists():
        return Venv(path, wheelhouse(base), base / "tool-venv-plux-cache")
    venv = fresh_venv(path, wheelhouse(base), PLUX_REQUIREMENT, *TOOLS)
    (path / ".complete").write_text("")
    return venv


def write(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``{relpath: text}`` (dedented) below ``root`` and return ``root``."""
    for relpath, text in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    root.mkdir(parents=True, exist_ok=True)
    return root
